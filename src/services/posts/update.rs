//! Changing a post: the three-state fields, publishing, its tags, and
//! `If-Match`.

use chrono::NaiveDateTime;

use super::authors::{named_author, no_such_author};
use super::{reread, rules};
use crate::db::{DbConn, links, posts};
use crate::domain::audience::{Identity, PostScope};
use crate::domain::patch::Patch;
use crate::domain::slug::Slug;
use crate::domain::tag_name::TagName;
use crate::domain::text::PostTitle;
use crate::domain::time::now;
use crate::models::{AuthorRow, PostChangeset, PostRow, PostStatus, PostWithTags};
use crate::services::tag_names::{NewTags, get_or_create};
use crate::services::webhooks::{Events, PostAfter};
use crate::services::{OrNotFound, ServiceError, ServiceResult};

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// `*`: any current version.
    Any,
    /// One of these versions.
    OneOf(Vec<i64>),
}

impl ExpectedVersion {
    fn admits(&self, version: i64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::OneOf(versions) => versions.contains(&version),
        }
    }
}

/// A partial update; `None` and [`Patch::Absent`] leave a field alone.
#[derive(Debug, Clone, Default)]
pub struct PostUpdate {
    pub title: Option<PostTitle>,
    pub body: Option<String>,
    pub slug: Option<Slug>,
    pub status: Option<PostStatus>,
    pub excerpt: Patch<String>,
    pub published_at: Patch<NaiveDateTime>,
    /// Replaces the post's tags, in this order.
    pub tags: Option<Vec<TagName>>,
    /// The slug of the user the post is given to.
    pub author: Option<String>,
}

impl PostUpdate {
    /// Whether the update decides if or when the post is published.
    fn publishes(&self) -> bool {
        self.status.is_some() || !self.published_at.is_absent()
    }
}

/// Changes the post, and replaces its tags when the update names them, in
/// one transaction; `expected` is the request's `If-Match`.
///
/// An update that publishes, unpublishes or dates the post reads it first,
/// locked: publishing a post without a date dates it now, and only the
/// current row tells. Any other edit is the `UPDATE` alone, which takes the
/// row lock itself and checks `If-Match` in its `WHERE`; when it matches no
/// row, one more statement tells a missing post (404) from a changed one
/// (412). The links are replaced after the `UPDATE` has the row lock.
/// A caller who may change only some posts has the post read, locked, and
/// checked first.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    update: PostUpdate,
    expected: Option<&ExpectedVersion>,
    actor: &Identity,
) -> ServiceResult<PostWithTags> {
    let dated = matches!(update.published_at, Patch::Value(_));
    let new_tags = rules::new_tags(actor);
    let now = now();
    conn.transaction(|conn| {
        // The transaction may run again after a deadlock.
        let update = update.clone();
        if actor.post_scope() != PostScope::Every {
            let post = posts::lock(conn, id).or_not_found("post")?;
            rules::may_change(actor, &post, now)?;
        }
        // After the check: a post the caller may not see is 404 whatever
        // the change asks.
        rules::may_date(actor, update.status, dated)?;
        let author = match &update.author {
            Some(slug) => Some(named_author(conn, actor, slug)?),
            None => None,
        };
        let author_id = author.as_ref().map(|author| author.id);
        // What the post was, when the update can change whether the public
        // sees it; otherwise that stays as it is.
        let (changes, unchecked, before) = if update.publishes() {
            let (changes, before) = publishing_changes(conn, id, &update, expected, now)?;
            (
                PostChangeset {
                    author_id,
                    ..changes
                },
                None,
                Some(before),
            )
        } else {
            // Not publishing: `published_at` is absent.
            (
                PostChangeset {
                    author_id,
                    ..changes(&update, None)
                },
                expected,
                None,
            )
        };
        let versions = match unchecked {
            Some(ExpectedVersion::OneOf(versions)) => Some(versions.as_slice()),
            Some(ExpectedVersion::Any) | None => None,
        };
        let updated = posts::update(conn, id, &changes, now, versions).map_err(|error| {
            let error = ServiceError::from(error);
            match (&changes.slug, &update.author) {
                (Some(slug), _) if error.violates_unique("slug") => {
                    ServiceError::SlugTaken { slug: slug.clone() }
                }
                // The named user was deleted while the request ran.
                (_, Some(slug)) if error.violates_foreign_key() => no_such_author(slug),
                _ => error,
            }
        })?;
        let Some(post) = updated else {
            return Err(match versions.is_some() && posts::exists(conn, id)? {
                true => ServiceError::PreconditionFailed,
                false => ServiceError::NotFound("post"),
            });
        };
        let mut events = Events::new();
        let tags = update.tags.as_deref().map(|names| (names, new_tags));
        let after = with_tags(conn, post, author, tags, now, &mut events)?;
        let before = before.as_ref().unwrap_or(&after.post);
        events.post(Some(before), PostAfter::Shown(&after), now);
        events.record(conn, now)?;
        Ok(after)
    })
}

/// The post after its update, with its tags replaced when the update
/// names them (getting or creating them) or as they were.
fn with_tags(
    conn: &mut DbConn,
    post: PostRow,
    author: Option<AuthorRow>,
    names: Option<(&[TagName], NewTags)>,
    now: NaiveDateTime,
    events: &mut Events,
) -> ServiceResult<PostWithTags> {
    let Some((names, new_tags)) = names else {
        return reread(conn, post.id);
    };
    let tags = get_or_create(conn, names, now, new_tags, events)?;
    let tag_ids: Vec<i64> = tags.iter().map(|tag| tag.id).collect();
    links::replace(conn, post.id, &tag_ids)?;
    let author = match author {
        Some(author) => author,
        None => posts::author(conn, post.author_id)?,
    };
    Ok(PostWithTags { post, author, tags })
}

/// The changes of an update that publishes, unpublishes or dates the post,
/// after reading it locked and checking `If-Match` against it: a post that
/// ends up published with no date is dated `now`. With the post as it was.
fn publishing_changes(
    conn: &mut DbConn,
    id: i64,
    update: &PostUpdate,
    expected: Option<&ExpectedVersion>,
    now: NaiveDateTime,
) -> ServiceResult<(PostChangeset, PostRow)> {
    let current = posts::lock(conn, id).or_not_found("post")?;
    if let Some(expected) = expected
        && !expected.admits(current.version)
    {
        return Err(ServiceError::PreconditionFailed);
    }
    let mut published_at = update.published_at.clone().into_change();
    let status = update.status.unwrap_or(current.status);
    if status == PostStatus::Published && published_at.unwrap_or(current.published_at).is_none() {
        published_at = Some(Some(now));
    }
    Ok((changes(update, published_at), current))
}

fn changes(update: &PostUpdate, published_at: Option<Option<NaiveDateTime>>) -> PostChangeset {
    PostChangeset {
        title: update.title.as_ref().map(|title| title.as_str().to_owned()),
        slug: update.slug.clone().map(Slug::into_string),
        body: update.body.clone(),
        excerpt: update.excerpt.clone().into_change(),
        status: update.status,
        published_at,
        author_id: None,
    }
}
