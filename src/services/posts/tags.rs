//! The post tag routes: attaching tags to a post and detaching one.

use super::{reread, rules};
use crate::db::{DbConn, links, posts, tags};
use crate::domain::audience::Identity;
use crate::domain::limits::MAX_TAGS_PER_POST;
use crate::domain::tag_name::TagName;
use crate::domain::time::now;
use crate::models::{PostWithTags, TagRow};
use crate::services::tag_names::get_or_create;
use crate::services::webhooks::{Events, PostAfter};
use crate::services::{OrNotFound, ServiceError, ServiceResult};

/// Attaches tags by name after the post's own, getting or creating them
/// as a create does; tags it already has stay where they are.
pub fn add_tags(
    conn: &mut DbConn,
    id: i64,
    names: &[TagName],
    actor: &Identity,
) -> ServiceResult<PostWithTags> {
    let now = now();
    let new_tags = rules::new_tags(actor);
    conn.transaction(|conn| {
        let post = posts::lock(conn, id).or_not_found("post")?;
        rules::may_change(actor, &post, now)?;
        let current = links::tags_of_posts(conn, &[id])?
            .remove(&id)
            .unwrap_or_default();
        let mut events = Events::new();
        let new: Vec<TagRow> = get_or_create(conn, names, now, new_tags, &mut events)?
            .into_iter()
            .filter(|tag| !current.iter().any(|have| have.id == tag.id))
            .collect();
        if current.len() + new.len() > MAX_TAGS_PER_POST {
            return Err(ServiceError::Invalid {
                field: "tags".into(),
                message: format!(
                    "a post has at most {MAX_TAGS_PER_POST} tags; this one has {} and would get {} more",
                    current.len(),
                    new.len()
                ),
            });
        }
        if !new.is_empty() {
            let next_position = links::next_position(conn, id)?;
            let tag_ids: Vec<i64> = new.iter().map(|tag| tag.id).collect();
            links::link(conn, id, &tag_ids, next_position)?;
            posts::mark_edited(conn, &[id], now)?;
        }
        let after = reread(conn, id)?;
        if !new.is_empty() {
            events.post(Some(&post), PostAfter::Shown(&after), now);
        }
        events.record(conn, now)?;
        Ok(after)
    })
}

/// Detaches one tag from a post; the tag itself remains. Detaching a tag
/// the post does not have changes nothing.
pub fn remove_tag(
    conn: &mut DbConn,
    id: i64,
    tag_slug: &str,
    actor: &Identity,
) -> ServiceResult<PostWithTags> {
    let now = now();
    conn.transaction(|conn| {
        let post = posts::lock(conn, id).or_not_found("post")?;
        rules::may_change(actor, &post, now)?;
        let tag_id = tags::id_of_slug(conn, tag_slug).or_not_found("tag")?;
        let unlinked = links::unlink(conn, id, tag_id)? > 0;
        if unlinked {
            posts::mark_edited(conn, &[id], now)?;
        }
        let after = reread(conn, id)?;
        if unlinked {
            let mut events = Events::new();
            events.post(Some(&post), PostAfter::Shown(&after), now);
            events.record(conn, now)?;
        }
        Ok(after)
    })
}
