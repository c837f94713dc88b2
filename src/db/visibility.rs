//! Who may see and change a post: the rules in SQL, for queries, and in
//! Rust, for a post already read, side by side. `tests/api/rules.rs` holds them
//! against each other on both backends. (The `public_at` triggers of the
//! `tag_public_order` migration copy the date of a published, untrashed
//! post onto its links, and the public order of a tag compares it with the
//! clock: the same rule, kept by the database.)

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::domain::audience::PostScope;
use crate::models::{PostRow, PostStatus};
use crate::schema::posts;

/// Published and not trashed: a post the public sees once its date is
/// reached.
#[dsl::auto_type]
pub fn published_untrashed() -> _ {
    let published: PostStatus = PostStatus::Published;
    posts::status.eq(published).and(posts::deleted_at.is_null())
}

/// Its date reached by `now`. A NULL date compares as unknown, which
/// filters the post out.
#[dsl::auto_type]
pub fn dated_by(now: NaiveDateTime) -> _ {
    posts::published_at.assume_not_null().le(now)
}

/// Dated after `now`.
#[dsl::auto_type]
pub fn dated_after(now: NaiveDateTime) -> _ {
    posts::published_at.assume_not_null().gt(now)
}

/// A post that the public may see at `now`.
#[dsl::auto_type]
pub fn visible(now: NaiveDateTime) -> _ {
    let published: published_untrashed = published_untrashed();
    let dated: dated_by = dated_by(now);
    published.and(dated)
}

/// [`visible`], in Rust.
pub fn is_visible(post: &PostRow, now: NaiveDateTime) -> bool {
    is_published_untrashed(post) && post.published_at.is_some_and(|date| date <= now)
}

/// A post that becomes visible after `now` unless it changes.
#[dsl::auto_type]
pub fn scheduled(now: NaiveDateTime) -> _ {
    let published: published_untrashed = published_untrashed();
    let dated: dated_after = dated_after(now);
    published.and(dated)
}

/// [`scheduled`], in Rust.
pub fn is_scheduled(post: &PostRow, now: NaiveDateTime) -> bool {
    is_published_untrashed(post) && post.published_at.is_some_and(|date| date > now)
}

/// [`published_untrashed`], in Rust.
fn is_published_untrashed(post: &PostRow) -> bool {
    post.status == PostStatus::Published && post.deleted_at.is_none()
}

/// A draft with no date: never published. Publishing dates a post and
/// unpublishing keeps the date, so a post once published stays dated
/// (unless an editor clears the date, handing the draft back).
#[dsl::auto_type]
pub fn never_published() -> _ {
    let draft: PostStatus = PostStatus::Draft;
    posts::status.eq(draft).and(posts::published_at.is_null())
}

/// [`never_published`], in Rust.
pub fn is_never_published(post: &PostRow) -> bool {
    post.status == PostStatus::Draft && post.published_at.is_none()
}

/// Whether a caller with `scope` (`None`: the public) sees the post at
/// `now`. Everyone sees visible posts.
pub fn is_seen_by(scope: Option<PostScope>, post: &PostRow, now: NaiveDateTime) -> bool {
    is_visible(post, now)
        || match scope {
            None => false,
            Some(PostScope::Every) => true,
            Some(PostScope::Own(user_id)) => post.author_id == user_id,
            Some(PostScope::OwnDrafts(user_id)) => {
                post.author_id == user_id && post.status == PostStatus::Draft
            }
        }
}

/// The posts of one user's that a scope limited to them
/// ([`owner_of_scope`]) adds to the visible ones: [`is_seen_by`] less
/// [`is_visible`], in SQL, for lists of one's own posts.
#[dsl::auto_type]
pub fn seen_by_owner(user_id: i64, drafts_only: bool) -> _ {
    let draft: PostStatus = PostStatus::Draft;
    let any_status: dsl::AsExprOf<bool, Bool> = (!drafts_only).into_sql::<Bool>();
    posts::author_id
        .eq(user_id)
        .and(posts::status.eq(draft).or(any_status))
}

/// Whether a caller with `scope` may change the post.
pub fn is_changeable_by(scope: PostScope, post: &PostRow) -> bool {
    match scope {
        PostScope::Every => true,
        PostScope::Own(user_id) => post.author_id == user_id,
        PostScope::OwnDrafts(user_id) => post.author_id == user_id && is_never_published(post),
    }
}

/// [`is_changeable_by`] in SQL for a scope limited to one user's posts
/// ([`owner_of_scope`]); [`PostScope::Every`] needs no filter.
#[dsl::auto_type]
pub fn changeable_by_owner(user_id: i64, drafts_only: bool) -> _ {
    let never: never_published = never_published();
    let any_of_theirs: dsl::AsExprOf<bool, Bool> = (!drafts_only).into_sql::<Bool>();
    posts::author_id.eq(user_id).and(never.or(any_of_theirs))
}

/// One user's posts: all of them, or (for a contributor) their drafts
/// only: in a list, drafts; to change, drafts never published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Owner {
    pub user_id: i64,
    pub drafts_only: bool,
}

/// Whose posts a scope is limited to; `None` for every post.
pub fn owner_of_scope(scope: PostScope) -> Option<Owner> {
    match scope {
        PostScope::Every => None,
        PostScope::Own(user_id) => Some(Owner {
            user_id,
            drafts_only: false,
        }),
        PostScope::OwnDrafts(user_id) => Some(Owner {
            user_id,
            drafts_only: true,
        }),
    }
}
