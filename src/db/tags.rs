//! Statements on tags.

use diesel::prelude::*;

use super::conn::DbConn;
use super::prepared::InsertTagsIgnoringConflicts;
use super::sql::planned_for_its_values;
use crate::models::{NewTagRow, TagChangeset, TagRow};
use crate::on_backend;
use crate::schema::tags;

/// The tags with these keys. On PostgreSQL they stay share-locked until the
/// transaction ends, so that a tag being attached to a post cannot be
/// deleted under it: a delete waits, then sees the post.
pub fn held_by_keys(conn: &mut DbConn, keys: &[&str]) -> QueryResult<Vec<TagRow>> {
    let held = tags::table.filter(tags::name_key.eq_any(keys));
    match conn {
        // A blog importing its posts can create thousands of tags a minute.
        DbConn::Postgres(c) => held
            .filter(planned_for_its_values())
            .select(TagRow::as_select())
            .for_key_share()
            .load(c),
        DbConn::Sqlite(c, _) => held.select(TagRow::as_select()).load(c),
    }
}

/// Inserts the rows in one statement, skipping any whose slug or name is
/// taken (by a row that exists, or one a concurrent request has just
/// inserted), and returns the rows it inserted.
pub fn insert_ignoring_conflicts(
    conn: &mut DbConn,
    mut rows: Vec<NewTagRow<'_>>,
) -> QueryResult<Vec<TagRow>> {
    // A fixed order of inserts means two requests creating the same tags
    // lock them in the same order, and so cannot deadlock.
    rows.sort_by(|a, b| a.name_key.cmp(b.name_key));
    match conn {
        DbConn::Postgres(c) => InsertTagsIgnoringConflicts::new(&rows).get_results(c),
        DbConn::Sqlite(c, _) => diesel::insert_into(tags::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .returning(TagRow::as_returning())
            .get_results(c),
    }
}

/// The tag whose name has this key.
pub fn by_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<TagRow>> {
    on_backend!(conn, c => tags::table
        .filter(tags::name_key.eq(key))
        .select(TagRow::as_select())
        .first(c)
        .optional())
}

pub fn by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<TagRow>> {
    on_backend!(conn, c => tags::table
        .filter(tags::slug.eq(slug))
        .select(TagRow::as_select())
        .first(c)
        .optional())
}

pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<TagRow>> {
    on_backend!(conn, c => tags::table
        .filter(tags::id.eq_any(ids))
        .select(TagRow::as_select())
        .load(c))
}

pub fn id_of_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<i64>> {
    on_backend!(conn, c => tags::table
        .filter(tags::slug.eq(slug))
        .select(tags::id)
        .first(c)
        .optional())
}

/// Reads a tag for a change. On PostgreSQL the row stays locked until the
/// transaction ends, which also holds back posts being attached to it.
pub fn lock_by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<TagRow>> {
    let tag = tags::table.filter(tags::slug.eq(slug));
    match conn {
        DbConn::Postgres(c) => tag
            .select(TagRow::as_select())
            .for_update()
            .first(c)
            .optional(),
        DbConn::Sqlite(c, _) => tag.select(TagRow::as_select()).first(c).optional(),
    }
}

pub fn update(conn: &mut DbConn, id: i64, changes: &TagChangeset) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(tags::table.find(id)).set(changes).execute(c))
}

/// Deletes the tag; `ON DELETE CASCADE` detaches it from every post.
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::delete(tags::table.find(id)).execute(c))
}
