//! Statements on credentials (sessions and personal keys) and failed
//! sign-ins. A token is only ever looked up by its digest.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conn::DbConn;
use crate::models::{CredentialRow, NewCredentialRow, UserRow};
use crate::on_backend;
use crate::schema::{credentials, sign_in_failures, users};

pub const SESSION: &str = "session";
pub const KEY: &str = "key";

pub fn insert(conn: &mut DbConn, row: &NewCredentialRow<'_>) -> QueryResult<CredentialRow> {
    on_backend!(conn, c => diesel::insert_into(credentials::table)
        .values(row)
        .returning(CredentialRow::as_returning())
        .get_result(c))
}

/// The credential with this token digest and its user, in one statement.
pub fn by_token_hash(
    conn: &mut DbConn,
    hash: &[u8],
) -> QueryResult<Option<(CredentialRow, UserRow)>> {
    on_backend!(conn, c => credentials::table
        .inner_join(users::table)
        .filter(credentials::token_hash.eq(hash))
        .select((CredentialRow::as_select(), UserRow::as_select()))
        .first(c)
        .optional())
}

pub fn by_id(conn: &mut DbConn, id: i64) -> QueryResult<Option<CredentialRow>> {
    on_backend!(conn, c => credentials::table
        .find(id)
        .select(CredentialRow::as_select())
        .first(c)
        .optional())
}

/// Keys, newest first, with their users: of one user, or of everyone.
pub fn keys(conn: &mut DbConn, of: Option<i64>) -> QueryResult<Vec<(CredentialRow, UserRow)>> {
    on_backend!(conn, c => {
        let mut query = credentials::table
            .inner_join(users::table)
            .filter(credentials::kind.eq(KEY))
            .select((CredentialRow::as_select(), UserRow::as_select()))
            .order((credentials::created_at.desc(), credentials::id.desc()))
            .into_boxed();
        if let Some(user) = of {
            query = query.filter(credentials::user_id.eq(user));
        }
        query.load(c)
    })
}

pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    on_backend!(conn, c => diesel::delete(credentials::table.find(id)).execute(c)).map(|n| n > 0)
}

/// Ends a user's sessions but `keep`; keys stay.
pub fn end_sessions(conn: &mut DbConn, user: i64, keep: Option<i64>) -> QueryResult<usize> {
    on_backend!(conn, c => {
        let mut query = diesel::delete(credentials::table)
            .filter(credentials::user_id.eq(user))
            .filter(credentials::kind.eq(SESSION))
            .into_boxed();
        if let Some(keep) = keep {
            query = query.filter(credentials::id.ne(keep));
        }
        query.execute(c)
    })
}

/// Sessions that have expired, deleted: they can never act again.
pub fn delete_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::delete(credentials::table)
        .filter(credentials::expires_at.lt(now))
        .execute(c))
}

/// Marks the credentials as used at `now`; no trigger counts this.
pub fn touch(conn: &mut DbConn, ids: &[i64], now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(credentials::table)
        .filter(credentials::id.eq_any(ids))
        .set(credentials::last_used_at.eq(now))
        .execute(c))
}

/// Failed sign-ins for this email since `since`.
pub fn failures_since(
    conn: &mut DbConn,
    email_key: &str,
    since: NaiveDateTime,
) -> QueryResult<Vec<NaiveDateTime>> {
    on_backend!(conn, c => sign_in_failures::table
        .filter(sign_in_failures::email_key.eq(email_key))
        .filter(sign_in_failures::failed_at.ge(since))
        .select(sign_in_failures::failed_at)
        .order(sign_in_failures::failed_at.asc())
        .load(c))
}

/// Records a failed (or not yet proven) sign-in; its id.
pub fn record_failure(conn: &mut DbConn, email_key: &str, now: NaiveDateTime) -> QueryResult<i64> {
    on_backend!(conn, c => diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::email_key.eq(email_key),
            sign_in_failures::failed_at.eq(now),
        ))
        .returning(sign_in_failures::id)
        .get_result(c))
}

/// Forgets an attempt that proved right.
pub fn forget_failure(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    on_backend!(conn, c => diesel::delete(sign_in_failures::table.find(id)).execute(c)).map(drop)
}

/// Makes attempts for one email take turns until the transaction ends, so
/// that each counts those before it. SQLite's writers take turns anyway.
pub fn take_turn_for(conn: &mut DbConn, email_key: &str) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(c) => diesel::sql_query(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 20261201)) IS NULL",
        )
        .bind::<diesel::sql_types::Text, _>(email_key)
        .execute(c)
        .map(drop),
        DbConn::Sqlite(..) => Ok(()),
    }
}

/// Forgets failures older than `before`: they no longer lock anything.
pub fn forget_failures(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::delete(sign_in_failures::table)
        .filter(sign_in_failures::failed_at.lt(before))
        .execute(c))
}
