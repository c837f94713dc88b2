//! The tag counts: one `GROUP BY` join over every post-tag link, the source
//! of truth for how many posts carry each tag.

use chrono::NaiveDateTime;
use diesel::AggregateExpressionMethods;
use diesel::dsl::{self, count};
use diesel::prelude::*;

use super::conn::DbConn;
use super::visibility::{scheduled as scheduled_at, visible};
use crate::models::{TagRow, TagWithCounts};
use crate::on_backend;
use crate::schema::{post_tags, posts, tags};

/// Each tag with each of its posts that is not trashed (or a row of NULLs
/// when it has none): what the counts are counted over.
#[dsl::auto_type]
pub fn tags_with_their_posts() -> _ {
    tags::table
        .left_join(post_tags::table.on(post_tags::tag_id.eq(tags::id)))
        .left_join(
            posts::table.on(posts::id
                .eq(post_tags::post_id)
                .and(posts::deleted_at.is_null())),
        )
}

/// Counts the visible posts of a group of [`tags_with_their_posts`].
#[dsl::auto_type]
pub fn visible_post_count(now: NaiveDateTime) -> _ {
    let visible_now: visible = visible(now);
    count(posts::id.nullable()).aggregate_filter(visible_now)
}

/// Counts the posts of a group of [`tags_with_their_posts`], whatever
/// their status.
#[dsl::auto_type]
pub fn total_post_count() -> _ {
    count(posts::id.nullable())
}

/// Every tag with its counts at `now`, from one `GROUP BY` join.
pub fn all(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<TagWithCounts>> {
    let rows: Vec<(TagRow, i64, i64)> = on_backend!(conn, c => tags_with_their_posts()
        .group_by(tags::id)
        .select((TagRow::as_select(), visible_post_count(now), total_post_count()))
        .load(c))?;
    Ok(rows.into_iter().map(with_counts).collect())
}

/// One tag with its counts at `now`.
pub fn of_slug(
    conn: &mut DbConn,
    slug: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<TagWithCounts>> {
    let row: Option<(TagRow, i64, i64)> = on_backend!(conn, c => tags_with_their_posts()
        .filter(tags::slug.eq(slug))
        .group_by(tags::id)
        .select((TagRow::as_select(), visible_post_count(now), total_post_count()))
        .first(c)
        .optional())?;
    Ok(row.map(with_counts))
}

pub fn with_counts((tag, post_count, total_count): (TagRow, i64, i64)) -> TagWithCounts {
    TagWithCounts {
        tag,
        post_count,
        total_count,
    }
}

/// How many posts are visible at `now`.
pub fn visible_posts(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<i64> {
    on_backend!(conn, c => posts::table
        .filter(visible(now))
        .count()
        .get_result(c))
}

/// What becomes visible after `now` unless it changes: for each date, how
/// many links of each tag (`Some(tag)`) and how many posts (`None`). Read
/// through the public order's index, from the posts scheduled.
pub fn scheduled(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<Vec<(Option<i64>, NaiveDateTime, i64)>> {
    let links: Vec<(i64, NaiveDateTime, i64)> = on_backend!(conn, c => posts::table
        .inner_join(post_tags::table)
        .filter(scheduled_at(now))
        .group_by((post_tags::tag_id, post_tags::public_at))
        .select((post_tags::tag_id, post_tags::public_at.assume_not_null(), dsl::count_star()))
        .load(c))?;
    let posts: Vec<(NaiveDateTime, i64)> = on_backend!(conn, c => posts::table
        .filter(scheduled_at(now))
        .group_by(posts::published_at)
        .select((posts::published_at.assume_not_null(), dsl::count_star()))
        .load(c))?;
    let links = links.into_iter().map(|(tag, date, n)| (Some(tag), date, n));
    Ok(links
        .chain(posts.into_iter().map(|(date, n)| (None, date, n)))
        .collect())
}
