//! Reading tags: every answer comes from the counts in memory, and a tag
//! page's posts as a post list's do.

use std::convert::Infallible;

use crate::cache::PostPage;
use crate::cache::{CachedRead, CountedMemory, Lookup, PageKey, TagListQuery};
use crate::db::post_lists::{MatchingPosts, StatusFilter};
use crate::db::{DbConn, old_slugs};
use crate::domain::page::{Page, PageRequest};
use crate::models::TagWithCounts;
use crate::services::posts::{PlannedPage, load_page, tag_walk};
use crate::services::{ServiceError, ServiceResult};

/// A page of tags with their counts.
#[derive(Debug, Clone)]
pub struct ListTags {
    pub query: TagListQuery,
    pub page: PageRequest,
}

impl CachedRead for ListTags {
    type Memory = CountedMemory;
    type Answer = Page<TagWithCounts>;
    type Error = ServiceError;
    /// Memory always answers.
    type Query = Infallible;

    fn look_up(
        self,
        memory: &CountedMemory,
    ) -> Lookup<ServiceResult<Page<TagWithCounts>>, Infallible> {
        Lookup::Found(Ok(memory.counts().list(&self.query, self.page)))
    }

    fn load(
        never: Infallible,
        _: &mut DbConn,
        _: &CountedMemory,
    ) -> ServiceResult<Page<TagWithCounts>> {
        match never {}
    }
}

/// One tag with its counts; an internal tag only for authenticated callers.
#[derive(Debug, Clone)]
pub struct GetTag {
    pub slug: String,
    pub authenticated: bool,
}

impl CachedRead for GetTag {
    type Memory = CountedMemory;
    type Answer = TagWithCounts;
    type Error = ServiceError;
    /// Memory always answers.
    type Query = Infallible;

    fn look_up(self, memory: &CountedMemory) -> Lookup<ServiceResult<TagWithCounts>, Infallible> {
        Lookup::Found(seen_tag(memory, &self.slug, self.authenticated))
    }

    fn load(never: Infallible, _: &mut DbConn, _: &CountedMemory) -> ServiceResult<TagWithCounts> {
        match never {}
    }
}

/// The tag with this slug, if the caller sees it: the public never sees
/// an internal tag, and is told it does not exist.
fn seen_tag(
    memory: &CountedMemory,
    slug: &str,
    authenticated: bool,
) -> ServiceResult<TagWithCounts> {
    memory
        .counts()
        .tag(slug)
        .filter(|tag| tag.tag.visibility().is_seen(authenticated))
        .ok_or(ServiceError::NotFound("tag"))
}

/// The public tag page: the tag, and its visible posts newest first. The
/// tag and the total come from the counts in memory (the visible posts that
/// carry the tag are what `post_count` counts), the page as a post list's.
#[derive(Debug, Clone)]
pub struct TagPage {
    pub slug: String,
    pub page: PageRequest,
    /// Whether the caller sees internal tags.
    pub authenticated: bool,
}

impl CachedRead for TagPage {
    type Memory = CountedMemory;
    type Answer = (TagWithCounts, PostPage);
    type Error = ServiceError;
    type Query = (TagWithCounts, PlannedPage);

    fn look_up(self, memory: &CountedMemory) -> Lookup<ServiceResult<Self::Answer>, Self::Query> {
        let tag = match seen_tag(memory, &self.slug, self.authenticated) {
            Ok(tag) => tag,
            Err(error) => return Lookup::Found(Err(error)),
        };
        let all_tags = vec![tag.tag.id];
        let matching = MatchingPosts {
            status: StatusFilter::Published,
            tag_walk: tag_walk(
                memory.counts(),
                StatusFilter::Published,
                &all_tags,
                self.page,
            ),
            all_tags,
            ..Default::default()
        };
        let key = PageKey {
            matching,
            page: self.page,
        };
        match memory.memory().page(&key) {
            Some(page) => Lookup::Found(Ok((tag, page))),
            None => {
                let planned = PlannedPage {
                    key,
                    known_total: Some(tag.post_count),
                    total_key: None,
                    seek: None,
                };
                Lookup::Missing((tag, planned))
            }
        }
    }

    fn load(
        (tag, planned): Self::Query,
        conn: &mut DbConn,
        memory: &CountedMemory,
    ) -> ServiceResult<Self::Answer> {
        Ok((tag, load_page(conn, memory, planned)?))
    }
}

/// Where the tag that last had `old_slug` is now (its slug), if the caller
/// sees it: a request for the old slug is redirected there when no tag has
/// it now.
pub fn moved_tag(
    conn: &mut DbConn,
    old_slug: &str,
    authenticated: bool,
) -> ServiceResult<Option<String>> {
    Ok(old_slugs::tag_of(conn, old_slug)?
        .filter(|(tag, was_internal)| {
            // Neither where an internal tag was nor where one is now.
            (authenticated || !was_internal) && tag.visibility().is_seen(authenticated)
        })
        .map(|(tag, _)| tag.slug))
}
