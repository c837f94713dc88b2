//! Statements on the links between posts and tags (`post_tags`), each link
//! at its position in the post's list.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::prelude::*;

use super::conn::DbConn;
use super::prepared::LinkTags;
use crate::models::TagRow;
use crate::on_backend;
use crate::schema::{post_tags, tags};

/// Links the post to `tag_ids` at consecutive positions from
/// `first_position`: new links are inserted, links it has moved to their
/// place if it changed. One statement for any number of tags.
pub fn link(
    conn: &mut DbConn,
    post_id: i64,
    tag_ids: &[i64],
    first_position: i32,
) -> QueryResult<()> {
    if tag_ids.is_empty() {
        return Ok(());
    }
    let links = LinkTags::new(post_id, tag_ids, first_position);
    on_backend!(conn, c => links.execute(c)).map(drop)
}

/// Makes `tag_ids`, in this order, the post's tags, touching only the
/// links that change (the admin's editor sends the whole list to add or
/// remove one): one statement on PostgreSQL; SQLite, which cannot delete
/// in a `WITH`, deletes the links to other tags first.
pub fn replace(conn: &mut DbConn, post_id: i64, tag_ids: &[i64]) -> QueryResult<()> {
    let links = LinkTags::new(post_id, tag_ids, 0);
    match conn {
        DbConn::Postgres(c) => links.replacing_others().execute(c).map(drop),
        DbConn::Sqlite(c, _) => {
            diesel::delete(
                post_tags::table
                    .filter(post_tags::post_id.eq(post_id))
                    .filter(post_tags::tag_id.ne_all(tag_ids)),
            )
            .execute(c)?;
            links.execute(c).map(drop)
        }
    }
}

/// Detaches the tag from the post; how many links went (0 or 1).
pub fn unlink(conn: &mut DbConn, post_id: i64, tag_id: i64) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::delete(post_tags::table.find((post_id, tag_id))).execute(c))
}

/// The position after the post's last tag.
pub fn next_position(conn: &mut DbConn, post_id: i64) -> QueryResult<i32> {
    let last: Option<i32> = on_backend!(conn, c => post_tags::table
        .filter(post_tags::post_id.eq(post_id))
        .select(dsl::max(post_tags::position))
        .first(c))?;
    Ok(last.map_or(0, |last| last + 1))
}

/// The tags of many posts in one statement, each list in the author's order.
pub fn tags_of_posts(
    conn: &mut DbConn,
    post_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<TagRow>>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, TagRow)> = on_backend!(conn, c => post_tags::table
        .inner_join(tags::table)
        .filter(post_tags::post_id.eq_any(post_ids))
        .order_by((post_tags::post_id, post_tags::position))
        .select((post_tags::post_id, TagRow::as_select()))
        .load(c))?;
    let mut by_post: HashMap<i64, Vec<TagRow>> = HashMap::new();
    for (post_id, tag) in rows {
        by_post.entry(post_id).or_default().push(tag);
    }
    Ok(by_post)
}

/// The links of many posts, `(post_id, tag_id)`, each post's in the
/// author's order, in one statement: for a caller that knows the tags.
pub fn links_of_posts(conn: &mut DbConn, post_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    on_backend!(conn, c => post_tags::table
        .filter(post_tags::post_id.eq_any(post_ids))
        .order_by((post_tags::post_id, post_tags::position))
        .select((post_tags::post_id, post_tags::tag_id))
        .load(c))
}

/// The visible posts carrying the tag, with their dates: one range of the
/// tag's index in public order.
pub fn visible_carriers(
    conn: &mut DbConn,
    tag_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, NaiveDateTime)>> {
    on_backend!(conn, c => post_tags::table
        .filter(post_tags::tag_id.eq(tag_id))
        .filter(post_tags::public_at.le(now))
        .select((post_tags::post_id, post_tags::public_at.assume_not_null()))
        .load(c))
}

/// The `count` newest visible posts carrying the tag, newest first, with
/// their dates: the start of the tag's index in public order.
pub fn newest_visible_carriers(
    conn: &mut DbConn,
    tag_id: i64,
    now: NaiveDateTime,
    count: usize,
) -> QueryResult<Vec<(i64, NaiveDateTime)>> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    on_backend!(conn, c => post_tags::table
        .filter(post_tags::tag_id.eq(tag_id))
        .filter(post_tags::public_at.le(now))
        .order_by((post_tags::public_at.desc(), post_tags::post_id.desc()))
        .limit(count)
        .select((post_tags::post_id, post_tags::public_at.assume_not_null()))
        .load(c))
}

/// Which of `tag_ids` each of `post_ids` carries, `(post_id, tag_id)`.
pub fn links_among(
    conn: &mut DbConn,
    post_ids: &[i64],
    tag_ids: &[i64],
) -> QueryResult<Vec<(i64, i64)>> {
    if post_ids.is_empty() || tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    on_backend!(conn, c => post_tags::table
        .filter(post_tags::post_id.eq_any(post_ids))
        .filter(post_tags::tag_id.eq_any(tag_ids))
        .select((post_tags::post_id, post_tags::tag_id))
        .load(c))
}

/// How many posts (of any status, trashed ones too) carry the tag.
pub fn carriers_of(conn: &mut DbConn, tag_id: i64) -> QueryResult<i64> {
    on_backend!(conn, c => post_tags::table
        .filter(post_tags::tag_id.eq(tag_id))
        .count()
        .get_result(c))
}

/// Moves the source tag's links to the target tag in the posts that do not
/// have the target yet, keeping their positions; the other links of the
/// source stay (they go when the source is deleted).
pub fn move_to_tag(conn: &mut DbConn, source_id: i64, target_id: i64) -> QueryResult<usize> {
    let target_links = diesel::alias!(post_tags as target_links);
    on_backend!(conn, c => diesel::update(
        post_tags::table
            .filter(post_tags::tag_id.eq(source_id))
            .filter(
                post_tags::post_id.ne_all(
                    target_links
                        .filter(target_links.field(post_tags::tag_id).eq(target_id))
                        .select(target_links.field(post_tags::post_id))
                )
            )
    )
    .set(post_tags::tag_id.eq(target_id))
    .execute(c))
}
