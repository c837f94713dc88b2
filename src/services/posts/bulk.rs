//! One action over many posts, in one transaction.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::rules;
use crate::db::visibility::owner_of_scope;
use crate::db::{DbConn, bulk as statements, posts};
use crate::domain::audience::Identity;
use crate::domain::limits::MAX_TAGS_PER_POST;
use crate::domain::tag_name::TagName;
use crate::domain::time::now;
use crate::models::PostRow;
use crate::services::tag_names::get_or_create;
use crate::services::webhooks::{Events, PostAfter};
use crate::services::{ServiceError, ServiceResult};

#[derive(Debug, Clone)]
pub enum BulkAction {
    Publish,
    Unpublish,
    Delete,
    Restore,
    AddTags(Vec<TagName>),
    RemoveTags(Vec<TagName>),
}

impl BulkAction {
    /// Every action by name, and whether it takes tag names.
    pub const NAMES: [(&'static str, bool); 6] = [
        ("publish", false),
        ("unpublish", false),
        ("delete", false),
        ("restore", false),
        ("add_tags", true),
        ("remove_tags", true),
    ];

    /// The action called `name`, with `tags` if it takes them.
    pub fn named(name: &str, tags: Vec<TagName>) -> Option<Self> {
        Some(match name {
            "publish" => BulkAction::Publish,
            "unpublish" => BulkAction::Unpublish,
            "delete" => BulkAction::Delete,
            "restore" => BulkAction::Restore,
            "add_tags" => BulkAction::AddTags(tags),
            "remove_tags" => BulkAction::RemoveTags(tags),
            _ => return None,
        })
    }

    /// Whether the action called `name` takes tag names; `None` for a name
    /// that is no action.
    pub fn takes_tags(name: &str) -> Option<bool> {
        Self::NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, takes_tags)| *takes_tags)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Ids that name an existing post.
    pub matched: usize,
    /// Posts whose state changed.
    pub updated: usize,
}

/// Applies one action to many posts in one transaction. The change itself
/// is one statement however many ids there are; around it the work is
/// constant too (counting the matches, and for tags, get-or-create and the
/// version bump).
///
/// Ids of posts the caller may not change count as unmatched: for a caller
/// who may change only their own posts, one statement first picks (and on
/// PostgreSQL locks) the ones they may, and the action sees those alone.
pub fn bulk(
    conn: &mut DbConn,
    ids: &[i64],
    action: &BulkAction,
    actor: &Identity,
) -> ServiceResult<BulkOutcome> {
    if matches!(action, BulkAction::Publish | BulkAction::Unpublish) {
        rules::may_publish(actor)?;
    }
    let new_tags = rules::new_tags(actor);
    let now = now();
    let mut given = ids.to_vec();
    given.sort_unstable();
    given.dedup();
    conn.transaction(|conn| {
        let (ids, matched) = match owner_of_scope(actor.post_scope()) {
            None => {
                let matched = statements::count_existing(conn, &given)?;
                (given.clone(), usize::try_from(matched).unwrap_or(0))
            }
            Some(owner) => {
                let ids = statements::changeable(conn, &given, owner)?;
                let matched = ids.len();
                (ids, matched)
            }
        };
        // What each post was: a post whose version the action moved has
        // changed, and the public may have seen it change.
        let before: HashMap<i64, PostRow> = posts::lock_many(conn, &ids)?
            .into_iter()
            .map(|post| (post.id, post))
            .collect();
        let mut events = Events::new();
        let updated = match action {
            BulkAction::Publish => statements::publish(conn, &ids, now)?,
            BulkAction::Unpublish => statements::unpublish(conn, &ids, now)?,
            BulkAction::Delete => statements::trash(conn, &ids, now)?,
            BulkAction::Restore => statements::restore(conn, &ids)?,
            BulkAction::AddTags(names) => {
                let tags = get_or_create(conn, names, now, new_tags, &mut events)?;
                let tag_ids: Vec<i64> = tags.iter().map(|tag| tag.id).collect();
                attach(conn, &ids, &tag_ids, now)?
            }
            BulkAction::RemoveTags(names) => {
                let keys: Vec<&str> = names.iter().map(TagName::key).collect();
                let changed = statements::detach(conn, &ids, &keys)?;
                mark_changed(conn, changed, now)?
            }
        };
        for (after, _) in posts::with_authors(conn, &ids)? {
            if let Some(was) = before
                .get(&after.id)
                .filter(|was| was.version != after.version)
            {
                events.post(Some(was), PostAfter::Row(&after), now);
            }
        }
        events.record(conn, now)?;
        Ok(BulkOutcome { matched, updated })
    })
}

/// Attaches the tags to every post that lacks them, after the post's own
/// tags and in the order given; refuses the whole request when any post
/// would end up with more than the limit. How many posts gained a tag.
fn attach(
    conn: &mut DbConn,
    ids: &[i64],
    tag_ids: &[i64],
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    if ids.is_empty() || tag_ids.is_empty() {
        return Ok(0);
    }
    let over_limit = statements::over_tag_limit(conn, ids, tag_ids, MAX_TAGS_PER_POST)?;
    if let Some(first) = over_limit.first() {
        return Err(ServiceError::Invalid {
            field: "tags".into(),
            message: format!(
                "{} post(s) would have more than {MAX_TAGS_PER_POST} tags (the first is post {first})",
                over_limit.len(),
            ),
        });
    }
    let changed = statements::attach(conn, ids, tag_ids)?;
    mark_changed(conn, changed, now)
}

/// Gives the posts a link changed in a new version; how many there were
/// (`changed` names a post once for each link).
fn mark_changed(
    conn: &mut DbConn,
    mut changed: Vec<i64>,
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    changed.sort_unstable();
    changed.dedup();
    posts::mark_edited(conn, &changed, now)?;
    Ok(changed.len())
}
