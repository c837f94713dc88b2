//! Statements on users.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conn::DbConn;
use crate::models::{NewUserRow, UserChangeset, UserRow};
use crate::on_backend;
use crate::schema::{posts, users};

pub fn by_id(conn: &mut DbConn, id: i64) -> QueryResult<Option<UserRow>> {
    on_backend!(conn, c => users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional())
}

pub fn by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<UserRow>> {
    on_backend!(conn, c => users::table
        .filter(users::slug.eq(slug))
        .select(UserRow::as_select())
        .first(c)
        .optional())
}

pub fn by_email_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<UserRow>> {
    on_backend!(conn, c => users::table
        .filter(users::email_key.eq(key))
        .select(UserRow::as_select())
        .first(c)
        .optional())
}

/// The user with this email and their password hash (`None`: no password).
pub fn sign_in_of(
    conn: &mut DbConn,
    email_key: &str,
) -> QueryResult<Option<(UserRow, Option<String>)>> {
    on_backend!(conn, c => users::table
        .filter(users::email_key.eq(email_key))
        .select((UserRow::as_select(), users::password_hash))
        .first(c)
        .optional())
}

pub fn password_hash(conn: &mut DbConn, id: i64) -> QueryResult<Option<String>> {
    on_backend!(conn, c => users::table
        .find(id)
        .select(users::password_hash)
        .first::<Option<String>>(c)
        .optional())
    .map(Option::flatten)
}

/// A page of users, by name then id; and how many there are.
pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> QueryResult<(Vec<UserRow>, i64)> {
    on_backend!(conn, c => {
        let items = users::table
            .select(UserRow::as_select())
            .order((users::name.asc(), users::id.asc()))
            .offset(offset)
            .limit(limit)
            .load(c)?;
        Ok((items, users::table.count().get_result(c)?))
    })
}

/// Inserts the user unless their slug or email is taken (by a row that
/// exists or one a concurrent request has just inserted): `None` then.
pub fn insert(conn: &mut DbConn, row: &NewUserRow<'_>) -> QueryResult<Option<UserRow>> {
    on_backend!(conn, c => diesel::insert_into(users::table)
        .values(row)
        .on_conflict_do_nothing()
        .returning(UserRow::as_returning())
        .get_result(c)
        .optional())
}

pub fn update(conn: &mut DbConn, id: i64, changes: &UserChangeset) -> QueryResult<Option<UserRow>> {
    on_backend!(conn, c => diesel::update(users::table.find(id))
        .set(changes)
        .returning(UserRow::as_returning())
        .get_result(c)
        .optional())
}

/// Moves every post of `from` to `to`.
pub fn reassign_posts(conn: &mut DbConn, from: i64, to: i64) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(posts::table.filter(posts::author_id.eq(from)))
        .set((posts::author_id.eq(to), posts::version.eq(posts::version + 1)))
        .execute(c))
}

/// Gives every post of the user a new version: the name they show is
/// about to change.
pub fn bump_versions_of_posts(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(posts::table.filter(posts::author_id.eq(id)))
        .set(posts::version.eq(posts::version + 1))
        .execute(c))
}

/// How many posts (any status, trashed too) the user wrote.
pub fn post_count(conn: &mut DbConn, id: i64) -> QueryResult<i64> {
    on_backend!(conn, c => posts::table
        .filter(posts::author_id.eq(id))
        .count()
        .get_result(c))
}

pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    on_backend!(conn, c => diesel::delete(users::table.find(id)).execute(c)).map(|n| n > 0)
}

/// Sets a user's password hash and when they changed.
pub fn set_password(
    conn: &mut DbConn,
    id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn, c => diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(c))
    .map(|n| n > 0)
}
