//! Tag administration: create, rename, move the slug, describe, delete,
//! merge.

use chrono::NaiveDateTime;

use crate::db::slugs::SlugTable;
use crate::db::{DbConn, aliases, links, old_slugs, posts, tag_counts, tags};
use crate::domain::audience::Identity;
use crate::domain::patch::Patch;
use crate::domain::slug::{Slug, tag_slug_base};
use crate::domain::tag_name::TagName;
use crate::domain::time::now;
use crate::models::{NewTagRow, TagChangeset, TagRow, TagWithCounts};
use crate::services::posts::rules;
use crate::services::races::{free_slug, until_won};
use crate::services::webhooks::Events;
use crate::services::{OrNotFound, ServiceError, ServiceResult};

/// What `POST /tags` creates.
#[derive(Debug, Clone)]
pub struct NewTag {
    pub name: TagName,
    /// Generated from the name when not given.
    pub slug: Option<Slug>,
    /// Absent and `null` alike leave a field empty.
    pub details: TagDetails,
}

/// A tag's optional fields, each already valid: absent leaves one as it is,
/// `null` clears it.
#[derive(Debug, Clone, Default)]
pub struct TagDetails {
    pub description: Patch<String>,
    pub feature_image: Patch<String>,
    pub accent_color: Patch<String>,
    pub meta_title: Patch<String>,
    pub meta_description: Patch<String>,
}

/// Creates a tag; a name that exists (case-insensitively, as a tag's name or
/// an alias) or a slug that is taken is a conflict naming the tag that has
/// it.
pub fn create(conn: &mut DbConn, new: NewTag, actor: &Identity) -> ServiceResult<TagWithCounts> {
    rules::may_create_tag(actor)?;
    let now = now();
    let base = tag_slug_base(&new.name);
    conn.transaction(|conn| {
        let tag = until_won("creating a tag", |attempt| {
            if let Some(existing) = tags::owner_of_key(conn, new.name.key())? {
                return Err(ServiceError::TagNameTaken {
                    slug: existing.slug,
                });
            }
            let slug = match &new.slug {
                Some(slug) => {
                    if tags::by_slug(conn, slug.as_str())?.is_some() {
                        return Err(ServiceError::SlugTaken {
                            slug: slug.to_string(),
                        });
                    }
                    slug.to_string()
                }
                None => free_slug(conn, SlugTable::Tags, &base, attempt)?,
            };
            let details = &new.details;
            let row = NewTagRow {
                description: details.description.as_value().map(String::as_str),
                feature_image: details.feature_image.as_value().map(String::as_str),
                accent_color: details.accent_color.as_value().map(String::as_str),
                meta_title: details.meta_title.as_value().map(String::as_str),
                meta_description: details.meta_description.as_value().map(String::as_str),
                ..NewTagRow::named(&new.name, slug, now)
            };
            // None only when the slug is taken, or a concurrent request
            // took the name (or made it an alias) or the slug since the
            // checks above; the next round reports or avoids it.
            Ok(tags::insert_one_ignoring_conflicts(conn, &row)?)
        })?;
        let mut events = Events::new();
        events.tag(None, Some(&tag), now);
        events.record(conn, now)?;
        Ok(TagWithCounts {
            tag,
            post_count: 0,
            total_count: 0,
        })
    })
}

/// A change to a tag; `None` and [`Patch::Absent`] leave a field alone.
#[derive(Debug, Clone, Default)]
pub struct TagUpdate {
    pub name: Option<TagName>,
    pub slug: Option<Slug>,
    pub details: TagDetails,
}

/// Renames a tag, moves its slug or changes its other fields. Renaming keeps
/// the slug; renaming to another casing of the same name is allowed. A
/// name or slug another tag has is a conflict naming that tag, also when a
/// concurrent request took it after this one looked: the update then runs
/// again, and finds it.
pub fn update(
    conn: &mut DbConn,
    slug: &str,
    update: TagUpdate,
    actor: &Identity,
) -> ServiceResult<TagWithCounts> {
    rules::may_manage_tags(actor)?;
    let now = now();
    let new_slug = until_won("changing a tag", |_| {
        match conn.transaction(|conn| change(conn, slug, &update, now)) {
            Err(error) if error.lost_a_tag_key_race() => Ok(None),
            outcome => outcome.map(Some),
        }
    })?;
    tag_counts::of_slug(conn, &new_slug, now).or_not_found("tag")
}

/// [`update`]'s transaction; the tag's slug afterwards.
fn change(
    conn: &mut DbConn,
    slug: &str,
    update: &TagUpdate,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    let tag = tags::lock_by_slug(conn, slug).or_not_found("tag")?;
    let name = update
        .name
        .as_ref()
        .filter(|name| name.display() != tag.name);
    if let Some(name) = name
        && name.key() != tag.name_key
        && let Some(owner) = tags::owner_of_key(conn, name.key())?
    {
        if owner.id != tag.id {
            return Err(ServiceError::TagNameTaken { slug: owner.slug });
        }
        // Renamed to one of its aliases: that alias is its name now.
        aliases::delete(conn, tag.id, name.key())?;
    }
    let new_slug = update
        .slug
        .clone()
        .map(Slug::into_string)
        .filter(|new| *new != tag.slug);
    if let Some(new_slug) = &new_slug
        && tags::by_slug(conn, new_slug)?.is_some()
    {
        return Err(ServiceError::SlugTaken {
            slug: new_slug.clone(),
        });
    }
    let details = update.details.clone();
    let changes = TagChangeset {
        name: name.map(|name| name.display().to_owned()),
        name_key: name.map(|name| name.key().to_owned()),
        slug: new_slug.clone(),
        description: details.description.into_change(),
        feature_image: details.feature_image.into_change(),
        accent_color: details.accent_color.into_change(),
        meta_title: details.meta_title.into_change(),
        meta_description: details.meta_description.into_change(),
    };
    if changes.is_empty() {
        return Ok(tag.slug);
    }
    if changes.name.is_some() || changes.slug.is_some() {
        // What the tag's posts show changes with it.
        posts::bump_versions_of_tag_carriers(conn, tag.id)?;
    }
    let changed = tags::update(conn, tag.id, &changes)?;
    let mut events = Events::new();
    events.tag(Some(&tag), Some(&changed), now);
    events.record(conn, now)?;
    Ok(changed.slug)
}

/// Deletes a tag. While any post carries it (drafts and trashed posts
/// included) that takes `force`, which detaches it everywhere first.
pub fn delete(conn: &mut DbConn, slug: &str, force: bool, actor: &Identity) -> ServiceResult<()> {
    rules::may_manage_tags(actor)?;
    let now = now();
    conn.transaction(|conn| {
        let tag = tags::lock_by_slug(conn, slug).or_not_found("tag")?;
        let carriers = links::carriers_of(conn, tag.id)?;
        if carriers > 0 {
            if !force {
                return Err(ServiceError::TagInUse {
                    slug: tag.slug,
                    posts: carriers,
                });
            }
            posts::bump_versions_of_tag_carriers(conn, tag.id)?;
        }
        tags::delete(conn, tag.id)?;
        let mut events = Events::new();
        events.tag(Some(&tag), None, now);
        events.record(conn, now)
    })
}

/// Merges `source` into `target`: every post of the source ends up with the
/// target exactly once (in the source's position where it had no target
/// yet), the source's name and aliases become the target's aliases, its
/// slugs lead to the target, and the source is deleted. Answers the target
/// with fresh counts.
pub fn merge(
    conn: &mut DbConn,
    source_slug: &str,
    target_slug: &str,
    actor: &Identity,
) -> ServiceResult<TagWithCounts> {
    rules::may_manage_tags(actor)?;
    if source_slug == target_slug {
        return Err(ServiceError::Invalid {
            field: "into".into(),
            message: "a tag cannot be merged into itself".into(),
        });
    }
    let now = now();
    conn.transaction(|conn| {
        let (source, target) = lock_pair(conn, source_slug, target_slug)?;
        let source = source.ok_or(ServiceError::NotFound("tag"))?;
        let target = target.ok_or_else(|| ServiceError::Invalid {
            field: "into".into(),
            message: format!("no tag has the slug `{target_slug}`"),
        })?;
        posts::bump_versions_of_tag_carriers(conn, source.id)?;
        links::move_to_tag(conn, source.id, target.id)?;
        old_slugs::hand_over_tag(conn, &source, target.id)?;
        aliases::move_to_tag(conn, source.id, target.id)?;
        // Posts that had both keep the target where it was; the source's
        // remaining links go with it.
        tags::delete(conn, source.id)?;
        aliases::insert(conn, target.id, &source.name, &source.name_key, now)?;
        let mut events = Events::new();
        events.tag_merged(&source, &target, now);
        events.record(conn, now)
    })?;
    tag_counts::of_slug(conn, target_slug, now).or_not_found("tag")
}

/// Locks two tags in one order whatever the direction, so that two merges
/// of the same pair cannot deadlock.
fn lock_pair(
    conn: &mut DbConn,
    first: &str,
    second: &str,
) -> ServiceResult<(Option<TagRow>, Option<TagRow>)> {
    if first < second {
        let first = tags::lock_by_slug(conn, first)?;
        Ok((first, tags::lock_by_slug(conn, second)?))
    } else {
        let second = tags::lock_by_slug(conn, second)?;
        Ok((tags::lock_by_slug(conn, first)?, second))
    }
}
