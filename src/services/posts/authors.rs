//! A post's author as a request names it.

use super::rules;
use crate::db::{DbConn, users};
use crate::domain::audience::Identity;
use crate::models::AuthorRow;
use crate::services::{ServiceError, ServiceResult};

/// The user a post's `author` names (by slug), for a caller who may give
/// posts to others; no such user is a 422 on `author`.
pub fn named_author(conn: &mut DbConn, actor: &Identity, slug: &str) -> ServiceResult<AuthorRow> {
    rules::may_set_author(actor)?;
    let user = users::by_slug(conn, slug)?.ok_or_else(|| no_such_author(slug))?;
    Ok(AuthorRow {
        id: user.id,
        name: user.name,
        slug: user.slug,
    })
}

/// What a post naming a user who does not exist (or no longer does) gets.
pub fn no_such_author(slug: &str) -> ServiceError {
    ServiceError::Invalid {
        field: "author".into(),
        message: format!("no user has the slug `{slug}`"),
    }
}
