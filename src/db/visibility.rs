//! Who may see a post: the rule in SQL, for queries, and in Rust, for a
//! post already read, side by side. `tests/api/rules.rs` holds them
//! against each other on both backends. (The `public_at` triggers of the
//! `tag_public_order` migration copy the date of a published, untrashed
//! post onto its links, and the public order of a tag compares it with the
//! clock: the same rule, kept by the database.)

use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::prelude::*;

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
