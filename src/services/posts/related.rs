//! Related posts: the visible posts that share the most tag weight with
//! one, read rarest tag first until the top is settled (`domain::related`
//! says how). Each tag read is one range of its index in public order, the
//! last one only its newest posts, so the cost grows with the visible
//! posts of the tags read before the last, not with the blog: the rarest
//! ones usually settle it, and a post with one tag reads a handful.

use std::sync::Arc;

use std::collections::HashMap;

use crate::cache::{CachedRead, CountedMemory, Lookup};
use crate::db::posts::{self, PostKey};
use crate::db::visibility::is_seen_by;
use crate::db::{DbConn, links};
use crate::domain::audience::PostScope;
use crate::domain::related::Ranking;
use crate::domain::tag_name::TagVisibility;
use crate::models::PostWithTags;
use crate::services::{OrNotFound, ServiceError, ServiceResult};

use super::list::tags_of_posts;

/// The posts related to one the reader sees, best first.
#[derive(Debug, Clone)]
pub struct RelatedPosts {
    pub id: i64,
    /// The reader's scope; `None` for the public.
    pub scope: Option<PostScope>,
    pub limit: u32,
}

impl CachedRead for RelatedPosts {
    type Memory = CountedMemory;
    type Answer = Vec<PostWithTags>;
    type Error = ServiceError;
    /// The read, and the post if memory has it.
    type Query = (RelatedPosts, Option<Arc<PostWithTags>>);

    fn look_up(self, memory: &CountedMemory) -> Lookup<ServiceResult<Self::Answer>, Self::Query> {
        let post = memory.memory().post(&PostKey::Id(self.id));
        Lookup::Missing((self, post))
    }

    fn load(
        (read, post): Self::Query,
        conn: &mut DbConn,
        memory: &CountedMemory,
    ) -> ServiceResult<Self::Answer> {
        let post = match post {
            Some(post) => post,
            None => Arc::new(posts::with_tags(conn, &PostKey::Id(read.id)).or_not_found("post")?),
        };
        let now = memory.now();
        if !is_seen_by(read.scope, &post.post, now) {
            return Err(ServiceError::NotFound("post"));
        }
        // Internal tags organise; they relate nothing.
        let counts = memory.counts();
        let tags: Vec<(i64, i64)> = post
            .tags
            .iter()
            .filter(|tag| tag.visibility() == TagVisibility::Public)
            .map(|tag| (tag.id, counts.post_count(tag.id)))
            .collect();
        let mut ranking = Ranking::new(post.post.id, &tags, read.limit as usize);
        while let Some(tag) = ranking.next_tag() {
            match ranking.newest_needed() {
                Some(wanted) => ranking
                    .add_newest_carriers(&links::newest_visible_carriers(conn, tag, now, wanted)?),
                None => ranking.add_carriers(&links::visible_carriers(conn, tag, now)?),
            }
        }
        let (candidates, unread) = ranking.to_complete();
        ranking.add_links(&links::links_among(conn, &candidates, &unread)?);
        let top = ranking.top();
        in_order(conn, memory, &top)
    }
}

/// The posts with these ids, with their authors and tags, in that order.
fn in_order(
    conn: &mut DbConn,
    memory: &CountedMemory,
    ids: &[i64],
) -> ServiceResult<Vec<PostWithTags>> {
    let mut found: HashMap<i64, _> = posts::with_authors(conn, ids)?
        .into_iter()
        .map(|(post, author)| (post.id, (post, author)))
        .collect();
    let mut tags = tags_of_posts(conn, memory.counts(), ids)?;
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|(post, author)| PostWithTags {
            tags: tags.remove(&post.id).unwrap_or_default(),
            post,
            author,
        })
        .collect())
}
