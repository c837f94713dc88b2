//! Statements on tags' aliases. Which keys are free (a key is one tag's
//! name or one alias) is also kept by triggers, and so is the list of a
//! tag's aliases on its row (migration `tag_aliases`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conn::DbConn;
use crate::on_backend;
use crate::schema::tag_aliases;

/// Gives the tag another name, whose key no tag or alias has.
pub fn insert(
    conn: &mut DbConn,
    tag_id: i64,
    name: &str,
    name_key: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    on_backend!(conn, c => diesel::insert_into(tag_aliases::table)
        .values((
            tag_aliases::name_key.eq(name_key),
            tag_aliases::name.eq(name),
            tag_aliases::tag_id.eq(tag_id),
            tag_aliases::created_at.eq(now),
        ))
        .execute(c))
    .map(drop)
}

/// Removes the tag's alias with this key; how many were removed (0 or 1).
pub fn delete(conn: &mut DbConn, tag_id: i64, name_key: &str) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::delete(
        tag_aliases::table
            .filter(tag_aliases::tag_id.eq(tag_id))
            .filter(tag_aliases::name_key.eq(name_key)),
    )
    .execute(c))
}

/// A merge: the source's aliases become the target's.
pub fn move_to_tag(conn: &mut DbConn, source_id: i64, target_id: i64) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(tag_aliases::table.filter(tag_aliases::tag_id.eq(source_id)))
        .set(tag_aliases::tag_id.eq(target_id))
        .execute(c))
}
