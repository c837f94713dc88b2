//! Statements that change many posts at once: each is one statement,
//! however many ids it is given.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::conn::DbConn;
use super::sql::coalesce;
use super::visibility::{Owner, changeable_by_owner};
use crate::models::PostStatus;
use crate::on_backend;
use crate::schema::{post_tags, posts, tags};

/// How many of the ids name a post.
pub fn count_existing(conn: &mut DbConn, ids: &[i64]) -> QueryResult<i64> {
    on_backend!(conn, c => posts::table
        .filter(posts::id.eq_any(ids))
        .count()
        .get_result(c))
}

/// Which of the ids name a post of the owner's they may change (with
/// `drafts_only`, only those never published), in order; locked on
/// PostgreSQL until the transaction ends, so that they stay theirs to
/// change while the action runs.
pub fn changeable(conn: &mut DbConn, ids: &[i64], owner: Owner) -> QueryResult<Vec<i64>> {
    let query = posts::table
        .filter(posts::id.eq_any(ids))
        .filter(changeable_by_owner(owner.user_id, owner.drafts_only))
        .select(posts::id)
        .order_by(posts::id);
    match conn {
        DbConn::Postgres(c) => query.for_update().load(c),
        DbConn::Sqlite(c, _) => query.load(c),
    }
}

/// Publishes the posts that are not published, or have no date (they are
/// dated `now`); how many changed.
pub fn publish(conn: &mut DbConn, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(
        posts::table.filter(posts::id.eq_any(ids)).filter(
            posts::status
                .ne(PostStatus::Published)
                .or(posts::published_at.is_null())
        )
    )
    .set((
        posts::status.eq(PostStatus::Published),
        posts::published_at.eq(coalesce(posts::published_at, Some(now))),
        posts::updated_at.eq(now),
        posts::version.eq(posts::version + 1),
    ))
    .execute(c))
}

/// Makes the published posts drafts again (they keep their dates).
pub fn unpublish(conn: &mut DbConn, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(
        posts::table
            .filter(posts::id.eq_any(ids))
            .filter(posts::status.eq(PostStatus::Published))
    )
    .set((
        posts::status.eq(PostStatus::Draft),
        posts::updated_at.eq(now),
        posts::version.eq(posts::version + 1),
    ))
    .execute(c))
}

/// Moves the posts not in the trash to it.
pub fn trash(conn: &mut DbConn, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(
        posts::table
            .filter(posts::id.eq_any(ids))
            .filter(posts::deleted_at.is_null())
    )
    .set((posts::deleted_at.eq(now), posts::version.eq(posts::version + 1)))
    .execute(c))
}

/// Takes the posts in the trash out of it.
pub fn restore(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(
        posts::table
            .filter(posts::id.eq_any(ids))
            .filter(posts::deleted_at.is_not_null())
    )
    .set((
        posts::deleted_at.eq(None::<NaiveDateTime>),
        posts::version.eq(posts::version + 1),
    ))
    .execute(c))
}

#[derive(QueryableByName)]
struct PostId {
    #[diesel(sql_type = BigInt)]
    post_id: i64,
}

/// Ids are integers from the database and the request's parsed JSON, so
/// they can be written into the SQL; that keeps one statement for any
/// number of them on both backends.
fn id_list(ids: impl IntoIterator<Item = i64>) -> String {
    ids.into_iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The posts that would carry more than `limit` tags with `tag_ids` added.
pub fn over_tag_limit(
    conn: &mut DbConn,
    ids: &[i64],
    tag_ids: &[i64],
    limit: usize,
) -> QueryResult<Vec<i64>> {
    let sql = format!(
        "SELECT p.id AS post_id FROM posts p \
         WHERE p.id IN ({}) \
         AND (SELECT COUNT(*) FROM post_tags x WHERE x.post_id = p.id AND x.tag_id NOT IN ({})) \
             + {} > {limit}",
        id_list(ids.iter().copied()),
        id_list(tag_ids.iter().copied()),
        tag_ids.len()
    );
    let rows: Vec<PostId> = on_backend!(conn, c => diesel::sql_query(sql).load(c))?;
    Ok(rows.into_iter().map(|row| row.post_id).collect())
}

/// Attaches the tags to every post that lacks them, after the post's own
/// tags and in the order given, in one `INSERT … SELECT`; returns the
/// posts that gained a tag (an id once for each tag it gained).
pub fn attach(conn: &mut DbConn, ids: &[i64], tag_ids: &[i64]) -> QueryResult<Vec<i64>> {
    let offsets: String = tag_ids
        .iter()
        .enumerate()
        .map(|(offset, tag_id)| format!(" WHEN {tag_id} THEN {offset}"))
        .collect();
    // `WHERE TRUE` keeps SQLite from reading `ON CONFLICT` as a join's `ON`.
    let sql = format!(
        "INSERT INTO post_tags (post_id, tag_id, position) \
         SELECT p.id, t.id, \
                COALESCE((SELECT MAX(x.position) FROM post_tags x WHERE x.post_id = p.id), -1) + 1 \
                + CASE t.id{offsets} END \
         FROM posts p CROSS JOIN tags t \
         WHERE TRUE AND p.id IN ({}) AND t.id IN ({}) \
         ON CONFLICT (post_id, tag_id) DO NOTHING \
         RETURNING post_id",
        id_list(ids.iter().copied()),
        id_list(tag_ids.iter().copied()),
    );
    let rows: Vec<PostId> = on_backend!(conn, c => diesel::sql_query(sql).load(c))?;
    Ok(rows.into_iter().map(|row| row.post_id).collect())
}

/// Detaches the tags with these name keys from the posts; returns the
/// posts that lost a tag (an id once for each tag it lost).
pub fn detach(conn: &mut DbConn, ids: &[i64], name_keys: &[&str]) -> QueryResult<Vec<i64>> {
    on_backend!(conn, c => diesel::delete(
        post_tags::table
            .filter(post_tags::post_id.eq_any(ids))
            .filter(
                post_tags::tag_id.eq_any(
                    tags::table
                        .filter(tags::name_key.eq_any(name_keys))
                        .select(tags::id)
                )
            )
    )
    .returning(post_tags::post_id)
    .get_results(c))
}
