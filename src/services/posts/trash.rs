//! The trash: trashing, restoring, deleting for good.

use super::{reread, rules};
use crate::db::{DbConn, posts};
use crate::domain::audience::{Identity, PostScope};
use crate::domain::time::now;
use crate::models::{PostRow, PostWithTags};
use crate::services::webhooks::{Events, PostAfter};
use crate::services::{OrNotFound, ServiceResult};

/// Moves a post to the trash. Trashing a trashed post changes nothing.
pub fn trash(conn: &mut DbConn, id: i64, actor: &Identity) -> ServiceResult<()> {
    let now = now();
    conn.transaction(|conn| {
        let post = posts::lock(conn, id).or_not_found("post")?;
        rules::may_change(actor, &post, now)?;
        if post.deleted_at.is_none() {
            posts::trash(conn, id, now)?;
            let trashed = PostRow {
                deleted_at: Some(now),
                ..post.clone()
            };
            let mut events = Events::new();
            events.post(Some(&post), PostAfter::Row(&trashed), now);
            events.record(conn, now)?;
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
        let trashed = post.deleted_at.is_some();
        if trashed {
            posts::restore(conn, id)?;
        }
        let after = reread(conn, id)?;
        if trashed {
            let mut events = Events::new();
            events.post(Some(&post), PostAfter::Shown(&after), now);
            events.record(conn, now)?;
        }
        Ok(after)
    })
}

/// Deletes a post for good; its tags remain. For a caller who may delete
/// any post, the delete is the one statement that reads the post; the
/// others have the post checked first.
pub fn delete_permanently(conn: &mut DbConn, id: i64, actor: &Identity) -> ServiceResult<()> {
    let now = now();
    conn.transaction(|conn| {
        if actor.post_scope() != PostScope::Every {
            let post = posts::lock(conn, id).or_not_found("post")?;
            rules::may_change(actor, &post, now)?;
        }
        let deleted = posts::delete(conn, id).or_not_found("post")?;
        let mut events = Events::new();
        events.post(Some(&deleted), PostAfter::Gone, now);
        events.record(conn, now)
    })
}
