//! Users: create, read, list, change, delete. Passwords arrive here already
//! hashed (hashing is slow on purpose and runs before a connection is
//! taken); who may do what is decided by `rules`.

use crate::db::slugs::SlugTable;
use crate::db::{DbConn, credentials, users, violates_foreign_key};
use crate::domain::audience::{Credential, Identity};
use crate::domain::page::{Page, PageRequest};
use crate::domain::patch::Patch;
use crate::domain::people::{Email, Role, UserName, email_key};
use crate::domain::time::now;
use crate::models::{NewUserRow, UserChangeset, UserRow};
use crate::services::races::{free_slug, until_won};
use crate::services::{OrNotFound, ServiceError, ServiceResult};

use super::credentials::{self as people_credentials, Attempt};
use super::rules;

/// What `POST /users` creates. No `Debug`: it holds a hash.
pub struct NewUser {
    pub name: UserName,
    pub email: Email,
    pub role: Role,
    pub bio: Option<String>,
    /// Argon2id, already computed.
    pub password_hash: String,
}

/// Creates a user with a slug made from the name; an email in use is a
/// conflict naming the user who has it.
pub fn create(conn: &mut DbConn, actor: &Identity, new: NewUser) -> ServiceResult<UserRow> {
    rules::may_create(actor, new.role).map_err(ServiceError::Forbidden)?;
    let now = now();
    let base = new.name.slug_base();
    conn.transaction(|conn| {
        until_won("creating a user", |attempt| {
            if let Some(holder) = users::by_email_key(conn, new.email.key())? {
                return Err(ServiceError::EmailTaken { slug: holder.slug });
            }
            let slug = free_slug(conn, SlugTable::Users, &base, attempt)?;
            let row = NewUserRow {
                name: new.name.as_str(),
                slug,
                email: new.email.as_str(),
                email_key: new.email.key(),
                role: new.role.as_str(),
                bio: new.bio.as_deref(),
                password_hash: &new.password_hash,
                created_at: now,
                updated_at: now,
            };
            // None: a concurrent request took the slug or the email since
            // the checks above; the next round sees which.
            Ok(users::insert(conn, &row)?)
        })
    })
}

/// The user with this slug, if the caller may read them.
pub fn get(conn: &mut DbConn, actor: &Identity, slug: &str) -> ServiceResult<UserRow> {
    let user = users::by_slug(conn, slug).or_not_found("user")?;
    rules::may_read(actor, &user).map_err(ServiceError::Forbidden)?;
    Ok(user)
}

/// The caller's own user.
pub fn me(conn: &mut DbConn, actor: &Identity) -> ServiceResult<UserRow> {
    users::by_id(conn, actor.user_id).or_not_found("user")
}

/// A page of users, by name.
pub fn list(
    conn: &mut DbConn,
    actor: &Identity,
    page: PageRequest,
) -> ServiceResult<Page<UserRow>> {
    rules::may_list(actor).map_err(ServiceError::Forbidden)?;
    let (items, total) = users::page(conn, page.offset(), page.per_page.into())?;
    Ok(Page {
        items,
        request: page,
        total,
    })
}

/// A change to a user; the new password already hashed, and whether the
/// caller proved they know the current one. No `Debug`: it holds a hash.
#[derive(Default)]
pub struct UserUpdate {
    pub name: Option<UserName>,
    pub email: Option<Email>,
    pub bio: Patch<String>,
    pub role: Option<Role>,
    pub password: Option<PasswordChange>,
}

pub struct PasswordChange {
    pub new_hash: String,
    /// The attempt in which `current_password` proved right, when it was
    /// needed.
    pub proven: Option<Attempt>,
}

/// What changing a user's password takes of the caller.
pub enum PasswordProof {
    NotNeeded,
    /// Their current password, checked against `stored` in a counted
    /// attempt (the lock-out of sign-ins applies).
    Needed {
        stored: String,
        attempt: Attempt,
    },
}

/// Before a password change: whether the caller may change this user at
/// all (refused before any slow hashing), and what proof it takes.
pub fn begin_password_change(
    conn: &mut DbConn,
    actor: &Identity,
    slug: &str,
    new_role: Option<Role>,
) -> ServiceResult<PasswordProof> {
    let user = users::by_slug(conn, slug).or_not_found("user")?;
    rules::may_read(actor, &user).map_err(ServiceError::Forbidden)?;
    rules::may_edit(actor, &user, new_role).map_err(ServiceError::Forbidden)?;
    match users::password_hash(conn, user.id)? {
        Some(stored) if rules::needs_current_password(actor, &user) => {
            let attempt = people_credentials::begin_attempt(conn, &lock_key(&user))?;
            Ok(PasswordProof::Needed { stored, attempt })
        }
        _ => Ok(PasswordProof::NotNeeded),
    }
}

/// What failed password checks of this user are counted under: their
/// email's key, as sign-ins are, so that one lock covers both.
fn lock_key(user: &UserRow) -> String {
    match &user.email {
        Some(email) => email_key(email),
        None => format!("#user-{}", user.id),
    }
}

/// Changes a user. Changing one's own password needs the current one (when
/// there is one) and ends one's other sessions; an administrator's reset
/// of someone else's ends all of theirs.
pub fn update(
    conn: &mut DbConn,
    actor: &Identity,
    slug: &str,
    update: UserUpdate,
) -> ServiceResult<UserRow> {
    let email = update.email.clone();
    let changed = conn.transaction(|conn| {
        let user = users::by_slug(conn, slug).or_not_found("user")?;
        rules::may_read(actor, &user).map_err(ServiceError::Forbidden)?;
        rules::may_edit(actor, &user, update.role).map_err(ServiceError::Forbidden)?;
        let own = actor.user_id == user.id;
        if let Some(change) = &update.password {
            match change.proven {
                Some(attempt) => people_credentials::attempt_succeeded(conn, attempt)?,
                None if rules::needs_current_password(actor, &user)
                    && users::password_hash(conn, user.id)?.is_some() =>
                {
                    return Err(wrong_current_password());
                }
                None => {}
            }
        }
        if let Some(email) = &update.email
            && let Some(holder) = users::by_email_key(conn, email.key())?
            && holder.id != user.id
        {
            return Err(ServiceError::EmailTaken { slug: holder.slug });
        }
        let changes = UserChangeset {
            name: update.name.as_ref().map(|name| name.as_str().to_owned()),
            slug: None,
            email: update.email.as_ref().map(|email| email.as_str().to_owned()),
            email_key: update.email.as_ref().map(|email| email.key().to_owned()),
            role: update.role.map(|role| role.as_str().to_owned()),
            bio: update.bio.clone().into_change(),
            password_hash: update.password.as_ref().map(|p| p.new_hash.clone()),
            updated_at: Some(now()),
        };
        let changed = users::update(conn, user.id, &changes).or_not_found("user")?;
        if changed.name != user.name {
            // Their posts show the name: new ETags, and what servers
            // remember of them is forgotten.
            users::bump_versions_of_posts(conn, user.id)?;
        }
        if update.password.is_some() {
            let keep = match (own, actor.credential) {
                (true, Credential::Session(id)) => Some(id),
                _ => None,
            };
            credentials::end_sessions(conn, user.id, keep)?;
        }
        Ok(changed)
    });
    match (changed, email) {
        // A concurrent request took the email since it was looked up.
        (Err(error), Some(email)) if error.violates_unique("email_key") => {
            match users::by_email_key(conn, email.key())? {
                Some(holder) => Err(ServiceError::EmailTaken { slug: holder.slug }),
                None => Err(error),
            }
        }
        (outcome, _) => outcome,
    }
}

/// Deletes a user, giving their posts to `reassign_to` (a user's slug);
/// a user with posts and nobody to give them to stays.
pub fn delete(
    conn: &mut DbConn,
    actor: &Identity,
    slug: &str,
    reassign_to: Option<&str>,
) -> ServiceResult<()> {
    conn.transaction(|conn| {
        let user = users::by_slug(conn, slug).or_not_found("user")?;
        rules::may_delete(actor, &user).map_err(ServiceError::Forbidden)?;
        let heir = match reassign_to {
            Some(heir) => {
                let Some(heir) = users::by_slug(conn, heir)? else {
                    return Err(invalid_heir("must be the slug of a user"));
                };
                if heir.id == user.id {
                    return Err(invalid_heir("must be another user than the one deleted"));
                }
                Some(heir)
            }
            None => None,
        };
        match heir {
            Some(heir) => {
                users::reassign_posts(conn, user.id, heir.id)?;
            }
            None => {
                let posts = users::post_count(conn, user.id)?;
                if posts > 0 {
                    return Err(ServiceError::UserHasPosts {
                        slug: user.slug,
                        posts,
                    });
                }
            }
        }
        match users::delete(conn, user.id) {
            // A post written for them since they were counted.
            Err(error) if violates_foreign_key(&error) => Err(ServiceError::UserHasPosts {
                slug: user.slug.clone(),
                posts: 1,
            }),
            outcome => outcome.map(drop).map_err(ServiceError::from),
        }
    })
}

/// What a password change is told when `current_password` is missing or
/// wrong.
pub fn wrong_current_password() -> ServiceError {
    ServiceError::Invalid {
        field: "current_password".into(),
        message: "must be given, and be your current password, to change it".into(),
    }
}

fn invalid_heir(message: &str) -> ServiceError {
    ServiceError::Invalid {
        field: "reassign_to".into(),
        message: message.into(),
    }
}

/// Sets a user's password (the operator's command line): their sessions
/// end.
pub fn set_password(conn: &mut DbConn, user_id: i64, hash: &str) -> ServiceResult<()> {
    conn.transaction(|conn| {
        if !users::set_password(conn, user_id, hash, now())? {
            return Err(ServiceError::NotFound("user"));
        }
        credentials::end_sessions(conn, user_id, None)?;
        Ok(())
    })
}
