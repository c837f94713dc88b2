//! Tags got or created by name: what a post's `tags` names.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::races::{free_slugs, until_won};
use super::webhooks::Events;
use super::{ServiceError, ServiceResult};
use crate::db::DbConn;
use crate::db::slugs::SlugTable;
use crate::db::tags;
use crate::domain::slug::tag_slug_base;
use crate::domain::tag_name::TagName;
use crate::models::{NewTagRow, TagRow};

/// Whether a caller's tag names may create tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewTags {
    Create,
    /// Every name must be a tag already; the new ones are refused (403).
    Refuse,
}

/// Finds each named tag, creating those that do not exist (or refusing
/// them, as `new_tags` says), and returns them in the order given, each
/// once (`names` must already be free of duplicate keys; two names of one
/// tag, its name and an alias, give it once, where the first was).
///
/// A name that is a tag's alias is that tag. The number of statements does
/// not depend on the number of names: one `SELECT` by key (names and
/// aliases); when some are new, one multi-row
/// `INSERT … ON CONFLICT DO NOTHING RETURNING` with each name's own slug. A
/// concurrent request that creates the same name or takes the same slug
/// makes the insert skip that row; the service then finds the other
/// request's tag, or reads the slugs the name's could clash with and
/// inserts it with the next free one.
///
/// Call it inside a transaction.
pub fn get_or_create(
    conn: &mut DbConn,
    names: &[TagName],
    now: NaiveDateTime,
    new_tags: NewTags,
    events: &mut Events,
) -> ServiceResult<Vec<TagRow>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<&str> = names.iter().map(TagName::key).collect();
    let mut found: HashMap<String, TagRow> = by_key(tags::held_by_keys(conn, &keys)?);
    if new_tags == NewTags::Refuse {
        let new: Vec<String> = names
            .iter()
            .filter(|name| !found.contains_key(name.key()))
            .map(|name| name.display().to_owned())
            .collect();
        if !new.is_empty() {
            return Err(ServiceError::NewTagsRefused(new));
        }
    }
    until_won("creating tags", |attempt| {
        let in_order: Option<Vec<TagRow>> = names
            .iter()
            .map(|name| found.get(name.key()).cloned())
            .collect();
        if let Some(mut in_order) = in_order {
            let mut seen = HashSet::new();
            in_order.retain(|tag| seen.insert(tag.id));
            return Ok(Some(in_order));
        }
        let missing: Vec<&TagName> = names
            .iter()
            .filter(|name| !found.contains_key(name.key()))
            .collect();
        let bases: Vec<String> = missing.iter().map(|name| tag_slug_base(name)).collect();
        let slugs = free_slugs(conn, SlugTable::Tags, &bases, attempt)?;
        let rows = missing
            .iter()
            .zip(slugs)
            .map(|(name, slug)| NewTagRow::named(name, slug, now))
            .collect();
        let created = tags::insert_ignoring_conflicts(conn, rows)?;
        if created.len() < missing.len() {
            // Lost a race for a name or a slug: whatever the other request
            // created for our names is ours too.
            let missing_keys: Vec<&str> = missing.iter().map(|name| name.key()).collect();
            found.extend(by_key(tags::held_by_keys(conn, &missing_keys)?));
        }
        for tag in &created {
            events.tag(None, Some(tag), now);
        }
        found.extend(created.into_iter().map(|tag| (tag.name_key.clone(), tag)));
        Ok(None)
    })
}

/// Each tag under the key it was found by, and under its name's.
fn by_key(found: Vec<(String, TagRow)>) -> HashMap<String, TagRow> {
    let mut by_key = HashMap::with_capacity(found.len());
    for (key, tag) in found {
        by_key.insert(tag.name_key.clone(), tag.clone());
        by_key.insert(key, tag);
    }
    by_key
}
