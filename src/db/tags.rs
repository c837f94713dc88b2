//! Statements on tags.

use diesel::prelude::*;
use diesel::sql_types::{Array, Text};

use super::conn::DbConn;
use super::prepared::InsertTagsIgnoringConflicts;
use crate::models::{NewTagRow, TagChangeset, TagRow};
use crate::on_backend;
use crate::schema::tags;

/// A tag found under a key: its name's, or one of its aliases'.
#[derive(QueryableByName)]
struct UnderKey {
    #[diesel(sql_type = Text)]
    matched_key: String,
    #[diesel(embed)]
    tag: TagRow,
}

/// The tags that have these keys as their name or as an alias, each with
/// the key it was found under, in one statement. On PostgreSQL they stay
/// share-locked until the transaction ends, so that a tag being attached to
/// a post cannot be deleted under it: a delete waits, then sees the post.
/// The statement is planned for its keys each time (it is never prepared):
/// a blog importing its posts can create thousands of tags a minute.
pub fn held_by_keys(conn: &mut DbConn, keys: &[&str]) -> QueryResult<Vec<(String, TagRow)>> {
    let found: Vec<UnderKey> = match conn {
        DbConn::Postgres(c) => diesel::sql_query(
            "SELECT matched.key AS matched_key, tags.* FROM tags JOIN ( \
                 SELECT name_key AS key, id AS tag_id FROM tags WHERE name_key = ANY($1) \
                 UNION ALL \
                 SELECT name_key, tag_id FROM tag_aliases WHERE name_key = ANY($1) \
             ) matched ON matched.tag_id = tags.id \
             FOR KEY SHARE OF tags",
        )
        .bind::<Array<Text>, _>(keys)
        .load(c)?,
        DbConn::Sqlite(c, _) => diesel::sql_query(
            "SELECT matched.key AS matched_key, tags.* FROM tags JOIN ( \
                 SELECT name_key AS key, id AS tag_id FROM tags \
                 WHERE name_key IN (SELECT value FROM json_each(?1)) \
                 UNION ALL \
                 SELECT name_key, tag_id FROM tag_aliases \
                 WHERE name_key IN (SELECT value FROM json_each(?1)) \
             ) matched ON matched.tag_id = tags.id",
        )
        .bind::<Text, _>(serde_json::to_string(keys).unwrap_or_default())
        .load(c)?,
    };
    Ok(found
        .into_iter()
        .map(|found| (found.matched_key, found.tag))
        .collect())
}

/// The tag whose name or one of whose aliases has this key.
pub fn owner_of_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<TagRow>> {
    Ok(held_by_keys(conn, &[key])?
        .into_iter()
        .next()
        .map(|(_, tag)| tag))
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

/// Inserts one tag with every field it was given, unless its slug or name
/// is taken; the row inserted, if any.
pub fn insert_one_ignoring_conflicts(
    conn: &mut DbConn,
    row: &NewTagRow<'_>,
) -> QueryResult<Option<TagRow>> {
    on_backend!(conn, c => diesel::insert_into(tags::table)
        .values(row)
        .on_conflict_do_nothing()
        .returning(TagRow::as_returning())
        .get_result(c)
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

/// Changes the tag; the row it is now.
pub fn update(conn: &mut DbConn, id: i64, changes: &TagChangeset) -> QueryResult<TagRow> {
    on_backend!(conn, c => diesel::update(tags::table.find(id))
        .set(changes)
        .returning(TagRow::as_returning())
        .get_result(c))
}

/// Deletes the tag; `ON DELETE CASCADE` detaches it from every post.
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::delete(tags::table.find(id)).execute(c))
}
