//! Creating a post.

use chrono::NaiveDateTime;

use super::authors::{named_author, no_such_author};
use super::rules;
use crate::db::slugs::SlugTable;
use crate::db::{DbConn, posts};
use crate::domain::audience::Identity;
use crate::domain::slug::{Slug, post_slug_base};
use crate::domain::tag_name::TagName;
use crate::domain::text::PostTitle;
use crate::domain::time::now;
use crate::models::{NewPostRow, PostStatus, PostWithTags};
use crate::services::races::{free_slug, until_won};
use crate::services::tag_names::get_or_create;
use crate::services::webhooks::{Events, PostAfter};
use crate::services::{ServiceError, ServiceResult};

#[derive(Debug, Clone)]
pub struct NewPost {
    pub title: PostTitle,
    pub body: String,
    pub excerpt: Option<String>,
    pub slug: Option<Slug>,
    pub status: PostStatus,
    pub published_at: Option<NaiveDateTime>,
    /// Free of duplicate keys, in the author's order.
    pub tags: Vec<TagName>,
    /// The slug of the user the post is written for; the writer when
    /// absent.
    pub author: Option<String>,
}

/// Creates a post with its tags (got or created by name). Publishing a post
/// with no date dates it now. A slug not given is made from the title; a
/// clash takes the lowest free suffix. `actor` writes it, and is its author
/// unless it names another.
pub fn create(conn: &mut DbConn, new: NewPost, actor: &Identity) -> ServiceResult<PostWithTags> {
    rules::may_date(actor, Some(new.status), new.published_at.is_some())?;
    let new_tags = rules::new_tags(actor);
    let now = now();
    let published_at = match (new.status, new.published_at) {
        (PostStatus::Published, None) => Some(now),
        (_, published_at) => published_at,
    };
    let created: ServiceResult<PostWithTags> = conn.transaction(|conn| {
        let author = match &new.author {
            Some(slug) => named_author(conn, actor, slug)?,
            None => posts::author(conn, actor.user_id).map_err(|error| match error {
                diesel::result::Error::NotFound => ServiceError::CallerGone,
                error => error.into(),
            })?,
        };
        let mut events = Events::new();
        let tags = get_or_create(conn, &new.tags, now, new_tags, &mut events)?;
        let tag_ids: Vec<i64> = tags.iter().map(|tag| tag.id).collect();
        let base = match &new.slug {
            Some(slug) => slug.as_str().to_owned(),
            None => post_slug_base(&new.title),
        };
        let post = until_won("creating a post", |attempt| {
            let slug = match &new.slug {
                Some(slug) => slug.as_str().to_owned(),
                None => free_slug(conn, SlugTable::Posts, &base, attempt)?,
            };
            let row = NewPostRow {
                title: new.title.as_str(),
                slug: &slug,
                body: &new.body,
                excerpt: new.excerpt.as_deref(),
                status: new.status,
                published_at,
                created_at: now,
                updated_at: now,
                author_id: author.id,
            };
            match posts::insert_with_links(conn, &row, &tag_ids)? {
                Some(post) => Ok(Some(post)),
                None if new.slug.is_some() => Err(ServiceError::SlugTaken { slug }),
                None => Ok(None),
            }
        })?;
        let created = PostWithTags { post, author, tags };
        events.post(None, PostAfter::Shown(&created), now);
        events.record(conn, now)?;
        Ok(created)
    });
    match (created, &new.author) {
        // The author was deleted while the request ran.
        (Err(error), Some(slug)) if error.violates_foreign_key() => Err(no_such_author(slug)),
        (Err(error), None) if error.violates_foreign_key() => Err(ServiceError::CallerGone),
        (outcome, _) => outcome,
    }
}
