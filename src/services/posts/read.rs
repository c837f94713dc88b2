//! Reading one post.

use std::sync::Arc;

use crate::cache::{CachedRead, Lookup, Memory};
use crate::db::posts::{self, PostKey};
use crate::db::visibility::is_seen_by;
use crate::db::{DbConn, old_slugs};
use crate::domain::audience::PostScope;
use crate::models::PostWithTags;
use crate::services::{OrNotFound, ServiceError, ServiceResult};

/// One post, if the reader sees it: visible posts for everyone, and those
/// the reader's scope adds (for editors and administrators, any post,
/// trashed ones too).
///
/// From memory when a request that read the same committed changes read it
/// (whether the reader may see it is decided at the time of this request);
/// else one statement, the post joined to its tags.
#[derive(Debug, Clone)]
pub struct GetPost {
    pub key: PostKey,
    /// The reader's scope; `None` for the public.
    pub scope: Option<PostScope>,
}

impl GetPost {
    /// The post, if this reader may see it at `now`.
    fn shown(&self, post: Arc<PostWithTags>, memory: &Memory) -> ServiceResult<Arc<PostWithTags>> {
        if !is_seen_by(self.scope, &post.post, memory.now()) {
            return Err(ServiceError::NotFound("post"));
        }
        Ok(post)
    }
}

impl CachedRead for GetPost {
    type Memory = Memory;
    type Answer = Arc<PostWithTags>;
    type Error = ServiceError;
    type Query = GetPost;

    fn look_up(self, memory: &Memory) -> Lookup<ServiceResult<Arc<PostWithTags>>, GetPost> {
        match memory.post(&self.key) {
            Some(post) => Lookup::Found(self.shown(post, memory)),
            None => Lookup::Missing(self),
        }
    }

    fn load(read: GetPost, conn: &mut DbConn, memory: &Memory) -> ServiceResult<Arc<PostWithTags>> {
        let post = Arc::new(posts::with_tags(conn, &read.key).or_not_found("post")?);
        memory.remember_post(read.key.clone(), &post);
        read.shown(post, memory)
    }
}

/// The id of the post that last had `old_slug`, which a request for that
/// slug is redirected to when no post has it now (whether the caller sees
/// the post is [`GetPost`]'s to say).
pub fn moved_post(conn: &mut DbConn, old_slug: &str) -> ServiceResult<Option<i64>> {
    Ok(old_slugs::post_of(conn, old_slug)?)
}
