//! Statements on single posts.

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::conn::DbConn;
use super::prepared::{EditPost, LinkTags, WithLinks};
use crate::models::{AuthorRow, NewPostRow, PostChangeset, PostRow, PostWithTags, TagRow};
use crate::on_backend;
use crate::schema::{post_tags, posts, tags, users};

/// A post's author, as columns of a statement on `posts`: each a lookup
/// by primary key for each row the statement returns, which leaves the
/// statement's plan over posts as it was.
pub type AuthorColumns = (posts::author_id, SqlLiteral<Text>, SqlLiteral<Text>);

pub fn author_columns() -> AuthorColumns {
    (
        posts::author_id,
        dsl::sql("(SELECT users.name FROM users WHERE users.id = posts.author_id)"),
        dsl::sql("(SELECT users.slug FROM users WHERE users.id = posts.author_id)"),
    )
}

/// A user as a post's author.
pub fn author(conn: &mut DbConn, user_id: i64) -> QueryResult<AuthorRow> {
    on_backend!(conn, c => users::table
        .find(user_id)
        .select(AuthorRow::as_select())
        .first(c))
}

/// Posts with their authors, by id, in no particular order.
pub fn with_authors(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(PostRow, AuthorRow)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_backend!(conn, c => posts::table
        .filter(posts::id.eq_any(ids))
        .select((PostRow::as_select(), author_columns()))
        .load(c))
}

/// These posts, locked on PostgreSQL (in id order, so that two requests
/// over the same posts cannot deadlock) until the transaction ends.
pub fn lock_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<PostRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        DbConn::Postgres(c) => posts::table
            .filter(posts::id.eq_any(ids))
            .order(posts::id)
            .select(PostRow::as_select())
            .for_update()
            .load(c),
        // One writer at a time: nothing changes them meanwhile.
        DbConn::Sqlite(c, _) => posts::table
            .filter(posts::id.eq_any(ids))
            .order(posts::id)
            .select(PostRow::as_select())
            .load(c),
    }
}

/// How a single post is addressed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PostKey {
    Id(i64),
    Slug(String),
}

/// Inserts the post and its links to `tag_ids` (in that order), unless its
/// slug is taken: `DO NOTHING` instead of an error keeps the transaction
/// usable when a concurrent request has just taken the slug. One statement
/// on PostgreSQL; SQLite links the tags in a second.
pub fn insert_with_links(
    conn: &mut DbConn,
    row: &NewPostRow<'_>,
    tag_ids: &[i64],
) -> QueryResult<Option<PostRow>> {
    let insert = diesel::insert_into(posts::table)
        .values(row)
        .on_conflict(posts::slug)
        .do_nothing();
    match conn {
        DbConn::Postgres(c) => WithLinks::new(insert.returning(PostRow::as_returning()), tag_ids)
            .get_result(c)
            .optional(),
        DbConn::Sqlite(c, _) => {
            let post = insert
                .returning(PostRow::as_returning())
                .get_result(c)
                .optional()?;
            if let Some(post) = &post
                && !tag_ids.is_empty()
            {
                LinkTags::new(post.id, tag_ids, 0).execute(c)?;
            }
            Ok(post)
        }
    }
}

/// The post, whatever its state.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<PostRow>> {
    on_backend!(conn, c => posts::table
        .find(id)
        .select(PostRow::as_select())
        .first(c)
        .optional())
}

pub fn exists(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    on_backend!(conn, c => diesel::select(diesel::dsl::exists(posts::table.find(id)))
        .get_result(c))
}

/// The post with its author and tags, whatever its state, in one
/// statement: the post joined to its tags, a row for each tag.
pub fn with_tags(conn: &mut DbConn, key: &PostKey) -> QueryResult<Option<PostWithTags>> {
    let rows: Vec<(PostRow, AuthorRow, Option<TagRow>)> = on_backend!(conn, c => {
        // Joined flat: SQLite would materialise a nested join in full.
        let query = posts::table
            .left_join(post_tags::table)
            .left_join(tags::table.on(tags::id.eq(post_tags::tag_id)))
            .select((PostRow::as_select(), author_columns(), Option::<TagRow>::as_select()))
            .order_by(post_tags::position)
            .into_boxed();
        match key {
            PostKey::Id(id) => query.filter(posts::id.eq(*id)),
            PostKey::Slug(slug) => query.filter(posts::slug.eq(slug)),
        }
        .load(c)?
    });
    let mut rows = rows.into_iter();
    let Some((post, author, first_tag)) = rows.next() else {
        return Ok(None);
    };
    let tags = first_tag
        .into_iter()
        .chain(rows.filter_map(|(_, _, tag)| tag))
        .collect();
    Ok(Some(PostWithTags { post, author, tags }))
}

/// Reads a post for a change. On PostgreSQL the row stays locked until the
/// transaction ends, so concurrent changes of one post take turns; SQLite
/// has one writer at a time anyway.
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<Option<PostRow>> {
    let row = posts::table.find(id);
    match conn {
        DbConn::Postgres(c) => row
            .select(PostRow::as_select())
            .for_update()
            .first(c)
            .optional(),
        DbConn::Sqlite(c, _) => row.select(PostRow::as_select()).first(c).optional(),
    }
}

/// Applies `changes`, bumps the version and sets `updated_at`, returning
/// the changed row; `None` when no post has the id, or (given `versions`)
/// its version is not one of them.
///
/// An edit that neither publishes nor dates the post is one fixed, prepared
/// statement on PostgreSQL ([`EditPost`]): Diesel sends each `UPDATE`
/// unprepared, as its `SET` list varies with the fields given.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    changes: &PostChangeset,
    now: NaiveDateTime,
    versions: Option<&[i64]>,
) -> QueryResult<Option<PostRow>> {
    let publishing = changes.status.is_some() || changes.published_at.is_some();
    match conn {
        DbConn::Postgres(c) if !publishing => EditPost::new(id, changes, now, versions)
            .get_result(c)
            .optional(),
        conn => on_backend!(conn, c => {
            let mut statement = diesel::update(posts::table.find(id)).into_boxed();
            if let Some(versions) = versions {
                statement = statement.filter(posts::version.eq_any(versions));
            }
            statement
                .set((
                    changes,
                    posts::updated_at.eq(now),
                    posts::version.eq(posts::version + 1),
                ))
                .returning(PostRow::as_returning())
                .get_result(c)
                .optional()
        }),
    }
}

/// Moves the post to the trash (a new version; `updated_at` stays).
pub fn trash(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(posts::table.find(id))
        .set((posts::deleted_at.eq(now), posts::version.eq(posts::version + 1)))
        .execute(c))
}

/// Takes the post out of the trash (a new version; `updated_at` stays).
pub fn restore(conn: &mut DbConn, id: i64) -> QueryResult<PostRow> {
    on_backend!(conn, c => diesel::update(posts::table.find(id))
        .set((
            posts::deleted_at.eq(None::<NaiveDateTime>),
            posts::version.eq(posts::version + 1),
        ))
        .returning(PostRow::as_returning())
        .get_result(c))
}

/// Deletes the post for good (its links go with it); the row it was.
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<Option<PostRow>> {
    on_backend!(conn, c => diesel::delete(posts::table.find(id))
        .returning(PostRow::as_returning())
        .get_result(c)
        .optional())
}

/// Records an edit of these posts: a new version (ETag) and `updated_at`.
pub fn mark_edited(conn: &mut DbConn, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(posts::table.filter(posts::id.eq_any(ids)))
        .set((
            posts::updated_at.eq(now),
            posts::version.eq(posts::version + 1),
        ))
        .execute(c))
}

/// Gives every post that carries the tag a new version: what they show
/// (the tag's name or slug, or the tag itself) is about to change.
pub fn bump_versions_of_tag_carriers(conn: &mut DbConn, tag_id: i64) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(
        posts::table.filter(
            posts::id.eq_any(
                post_tags::table
                    .filter(post_tags::tag_id.eq(tag_id))
                    .select(post_tags::post_id)
            )
        )
    )
    .set(posts::version.eq(posts::version + 1))
    .execute(c))
}
