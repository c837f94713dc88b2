//! The tag counts: one `GROUP BY` join over every post-tag link, the source
//! of truth for how many posts carry each tag.

use chrono::NaiveDateTime;
use diesel::AggregateExpressionMethods;
use diesel::dsl::{self, count};
use diesel::prelude::*;

use super::conn::DbConn;
use super::visibility::{dated_after, dated_by, published_untrashed, visible};
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

/// What the counts of `now` hold until: how many posts are visible, and
/// when the next scheduled post becomes visible (the moment its tags'
/// counts go up). The posts that are published and not trashed are read
/// once, through the public order's index, and split by date.
pub fn public_posts(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    on_backend!(conn, c => posts::table
        .filter(published_untrashed())
        .select((
            dsl::count(posts::id).aggregate_filter(dated_by(now)),
            dsl::min(posts::published_at).aggregate_filter(dated_after(now)),
        ))
        .first(c))
}
