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

/// A credential just made, with its token: the one time it is shown. No
/// `Debug`: the token must not reach a log line.
pub struct Issued {
    pub credential: CredentialRow,
    pub token: String,
    pub user: UserRow,
}

/// A password check under way: counted as a failure until proven right,
/// so that attempts made together count each other.
#[derive(Clone, Copy)]
pub struct Attempt {
    id: i64,
}

/// Begins a password check for `lock_key` (an email's key): refused while
/// it is locked, else counted as a failure until [`attempt_succeeded`].
/// Attempts for one key take turns here, so a burst of them cannot all
/// pass the lock before any is counted.
pub fn begin_attempt(conn: &mut DbConn, lock_key: &str) -> ServiceResult<Attempt> {
    conn.transaction(|conn| {
        credentials::take_turn_for(conn, lock_key)?;
        let now = now();
        let window = Duration::minutes(SIGN_IN_WINDOW_MINUTES);
        let failures = credentials::failures_since(conn, lock_key, now - window)?;
        let lock_len = usize::try_from(SIGN_IN_FAILURES_LOCK).unwrap_or(usize::MAX);
        if failures.len() >= lock_len {
            // Locked until the failure that made it this many leaves the window.
            let unlocks = failures[failures.len() - lock_len] + window;
            let retry_after_secs = (unlocks - now).num_seconds().max(1);
            return Err(ServiceError::SignInLocked { retry_after_secs });
        }
        let id = credentials::record_failure(conn, lock_key, now)?;
        Ok(Attempt { id })
    })
}

/// The attempt proved right: it is not a failure.
pub fn attempt_succeeded(conn: &mut DbConn, attempt: Attempt) -> ServiceResult<()> {
    credentials::forget_failure(conn, attempt.id)?;
    Ok(())
}

/// A sign-in begun: the attempt, counted, and the user with the email and
/// their password hash, if there is one. No `Debug`: it holds a hash.
pub struct SignIn {
    pub attempt: Attempt,
    pub user: Option<UserRow>,
    pub password_hash: Option<String>,
}

/// Begins signing in: the attempt is counted first.
pub fn begin_sign_in(conn: &mut DbConn, email_key: &str) -> ServiceResult<SignIn> {
    let attempt = begin_attempt(conn, email_key)?;
    let (user, password_hash) = match users::sign_in_of(conn, email_key)? {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    Ok(SignIn {
        attempt,
        user,
        password_hash,
    })
}

/// A new session for `user`, for `ttl`, after its attempt proved right.
pub fn start_session(
    conn: &mut DbConn,
    attempt: Attempt,
    user: UserRow,
    ttl: Duration,
) -> ServiceResult<Issued> {
    conn.transaction(|conn| {
        credentials::forget_failure(conn, attempt.id)?;
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
            user: user.clone(),
        })
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
