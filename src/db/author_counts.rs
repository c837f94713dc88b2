//! The author counts: one `GROUP BY` over users and their posts, the source
//! of truth for how many visible posts each user has.

use chrono::NaiveDateTime;
use diesel::AggregateExpressionMethods;
use diesel::dsl::{self, count};
use diesel::prelude::*;

use super::conn::DbConn;
use super::visibility::{scheduled as scheduled_at, visible};
use crate::models::{AuthorProfileRow, AuthorWithCount};
use crate::on_backend;
use crate::schema::{posts, users};

/// Every user with the number of their posts visible at `now`.
pub fn all(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<AuthorWithCount>> {
    let rows: Vec<(AuthorProfileRow, i64)> = on_backend!(conn, c => users::table
        .left_join(
            posts::table.on(posts::author_id
                .eq(users::id)
                .and(posts::deleted_at.is_null())),
        )
        .group_by(users::id)
        .select((
            AuthorProfileRow::as_select(),
            count(posts::id.nullable()).aggregate_filter(visible(now)),
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(author, post_count)| AuthorWithCount { author, post_count })
        .collect())
}

/// What becomes visible after `now` unless it changes: for each author and
/// date, how many of their posts.
pub fn scheduled(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, NaiveDateTime, i64)>> {
    on_backend!(conn, c => posts::table
        .filter(scheduled_at(now))
        .group_by((posts::author_id, posts::published_at))
        .select((posts::author_id, posts::published_at.assume_not_null(), dsl::count_star()))
        .load(c))
}

/// The users with these ids, as the authors list shows them.
pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<AuthorProfileRow>> {
    on_backend!(conn, c => users::table
        .filter(users::id.eq_any(ids))
        .select(AuthorProfileRow::as_select())
        .load(c))
}
