//! Credentials: signing in and out, personal keys, and who a presented
//! token belongs to. Tokens are made here and stored only as digests.

use chrono::{Duration, NaiveDateTime};

use crate::db::{DbConn, credentials, users};
use crate::domain::audience::{Credential, Identity};
use crate::domain::limits::{SIGN_IN_FAILURES_LOCK, SIGN_IN_WINDOW_MINUTES};
use crate::domain::time::now;
use crate::models::{CredentialRow, NewCredentialRow, UserRow};
use crate::services::{OrNotFound, ServiceError, ServiceResult};

use super::rules;
use super::secrets::{TokenDigest, new_token};

/// What a session token starts with.
pub const SESSION_PREFIX: &str = "bs_";
/// What a personal key's token starts with.
pub const KEY_PREFIX: &str = "bk_";

/// A credential just made, with its token: the one time it is shown.
#[derive(Debug)]
pub struct Issued {
    pub credential: CredentialRow,
    pub token: String,
    pub user: UserRow,
}

/// What a sign-in attempt needs to know before the password is checked:
/// the user with this email and their hash, if any. A locked email is
/// refused before any password is looked at.
pub fn sign_in_candidate(
    conn: &mut DbConn,
    email_key: &str,
) -> ServiceResult<Option<(UserRow, Option<String>)>> {
    let now = now();
    let window = Duration::minutes(SIGN_IN_WINDOW_MINUTES);
    let failures = credentials::failures_since(conn, email_key, now - window)?;
    let lock_len = usize::try_from(SIGN_IN_FAILURES_LOCK).unwrap_or(usize::MAX);
    if failures.len() >= lock_len {
        // Locked until the failure that made it this many leaves the window.
        let unlocks = failures[failures.len() - lock_len] + window;
        let retry_after_secs = (unlocks - now).num_seconds().max(1);
        return Err(ServiceError::SignInLocked { retry_after_secs });
    }
    Ok(users::sign_in_of(conn, email_key)?)
}

/// A refused sign-in, counted against the email.
pub fn sign_in_failed(conn: &mut DbConn, email_key: &str) -> ServiceResult<()> {
    credentials::record_failure(conn, email_key, now())?;
    Ok(())
}

/// A new session for `user`, for `ttl`.
pub fn start_session(conn: &mut DbConn, user: UserRow, ttl: Duration) -> ServiceResult<Issued> {
    let now = now();
    let (token, digest) = new_token(SESSION_PREFIX);
    let credential = credentials::insert(
        conn,
        &NewCredentialRow {
            user_id: user.id,
            kind: credentials::SESSION,
            name: None,
            token_hash: &digest,
            created_at: now,
            expires_at: Some(now + ttl),
        },
    )?;
    Ok(Issued {
        credential,
        token,
        user,
    })
}

/// Ends the caller's session.
pub fn end_session(conn: &mut DbConn, actor: &Identity) -> ServiceResult<()> {
    match actor.credential {
        Credential::Session(id) => {
            credentials::delete(conn, id)?;
            Ok(())
        }
        _ => Err(ServiceError::Invalid {
            field: "Authorization".into(),
            message: "is not a session token: delete a key with DELETE /api/v1/keys/{id}".into(),
        }),
    }
}

/// A new personal key of the caller, acting with the caller's role.
pub fn create_key(conn: &mut DbConn, actor: &Identity, name: &str) -> ServiceResult<Issued> {
    let user = users::by_id(conn, actor.user_id).or_not_found("user")?;
    let (token, digest) = new_token(KEY_PREFIX);
    let credential = credentials::insert(
        conn,
        &NewCredentialRow {
            user_id: user.id,
            kind: credentials::KEY,
            name: Some(name),
            token_hash: &digest,
            created_at: now(),
            expires_at: None,
        },
    )?;
    Ok(Issued {
        credential,
        token,
        user,
    })
}

/// The caller's keys, newest first; an administrator's list has
/// everyone's.
pub fn keys(conn: &mut DbConn, actor: &Identity) -> ServiceResult<Vec<(CredentialRow, UserRow)>> {
    let of = match rules::sees_every_key(actor) {
        true => None,
        false => Some(actor.user_id),
    };
    Ok(credentials::keys(conn, of)?)
}

/// Deletes a key the caller may manage; anyone else's is not found.
pub fn delete_key(conn: &mut DbConn, actor: &Identity, id: i64) -> ServiceResult<()> {
    match credentials::by_id(conn, id)? {
        Some(key) if key.kind == credentials::KEY && rules::may_manage_key(actor, key.user_id) => {
            credentials::delete(conn, id)?;
            Ok(())
        }
        _ => Err(ServiceError::NotFound("key")),
    }
}

/// Who a token's digest belongs to, as of `now`, and until when: an
/// expired session is no one (upkeep deletes it later).
pub fn identify(
    conn: &mut DbConn,
    digest: &TokenDigest,
    now: NaiveDateTime,
) -> ServiceResult<Option<(Identity, Option<NaiveDateTime>)>> {
    let Some((credential, user)) = credentials::by_token_hash(conn, digest)? else {
        return Ok(None);
    };
    if credential.expires_at.is_some_and(|expires| expires <= now) {
        return Ok(None);
    }
    let identity = Identity {
        user_id: user.id,
        role: rules::role_of(&user),
        credential: match credential.kind.as_str() {
            credentials::KEY => Credential::Key(credential.id),
            _ => Credential::Session(credential.id),
        },
    };
    Ok(Some((identity, credential.expires_at)))
}

/// Records that these keys were used (at most once a minute each, by the
/// caller's choice): `last_used_at` is to the minute.
pub fn keys_used(conn: &mut DbConn, ids: &[i64]) -> ServiceResult<()> {
    credentials::touch(conn, ids, now())?;
    Ok(())
}

/// Forgets what can no longer matter: expired sessions, and failed
/// sign-ins older than the lock-out window.
pub fn tidy(conn: &mut DbConn) -> ServiceResult<()> {
    let now = now();
    credentials::delete_expired(conn, now)?;
    credentials::forget_failures(conn, now - Duration::minutes(SIGN_IN_WINDOW_MINUTES))?;
    Ok(())
}
