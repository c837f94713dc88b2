//! The trash: trashing, restoring, deleting for good.

use super::{reread, rules};
use crate::db::{DbConn, posts};
use crate::domain::audience::{Identity, PostScope};
use crate::domain::time::now;
use crate::models::PostWithTags;
use crate::services::{OrNotFound, ServiceError, ServiceResult};

/// Moves a post to the trash. Trashing a trashed post changes nothing.
pub fn trash(conn: &mut DbConn, id: i64, actor: &Identity) -> ServiceResult<()> {
    let now = now();
    conn.transaction(|conn| {
        let post = posts::lock(conn, id).or_not_found("post")?;
        rules::may_change(actor, &post, now)?;
        if post.deleted_at.is_none() {
            posts::trash(conn, id, now)?;
        }
        Ok(())
    })
}

/// Takes a post out of the trash. Restoring a live post changes nothing.
pub fn restore(conn: &mut DbConn, id: i64, actor: &Identity) -> ServiceResult<PostWithTags> {
    let now = now();
    conn.transaction(|conn| {
        let post = posts::lock(conn, id).or_not_found("post")?;
        rules::may_change(actor, &post, now)?;
        if post.deleted_at.is_some() {
            posts::restore(conn, id)?;
        }
        reread(conn, id)
    })
}

/// Deletes a post for good; its tags remain. One statement for a caller
/// who may delete any post; the others have the post checked first.
pub fn delete_permanently(conn: &mut DbConn, id: i64, actor: &Identity) -> ServiceResult<()> {
    let deleted = match actor.post_scope() {
        PostScope::Every => posts::delete(conn, id)?,
        _ => conn.transaction(|conn| {
            let post = posts::lock(conn, id).or_not_found("post")?;
            rules::may_change(actor, &post, now())?;
            Ok::<_, ServiceError>(posts::delete(conn, id)?)
        })?,
    };
    match deleted {
        0 => Err(ServiceError::NotFound("post")),
        _ => Ok(()),
    }
}
