//! Lists of posts: planned with the tag counts in memory, answered from
//! memory when a request that read the same committed changes read the
//! same page, else read in at most three statements (the page, counting
//! its total unless memory knows it; its links; tags newer than the counts).

use std::collections::HashMap;
use std::sync::Arc;

use crate::cache::{
    CachedRead, CountedMemory, ListKey, ListOrder, Lookup, PageKey, PostPage, TagCounts, TotalKey,
};
use crate::db::post_lists::{
    self, Counting, MatchingPosts, Owner, PageStart, StatusFilter, TagWalk,
};
use crate::db::{DbConn, links, tags};
use crate::domain::audience::Audience;
use crate::domain::page::{Page, PageRequest};
use crate::models::{PostWithTags, TagRow};
use crate::services::{ServiceError, ServiceResult};

/// What a post list asks for.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    /// Tag slugs the post must all have.
    pub all_tags: Vec<String>,
    /// Tag slugs the post must have at least one of.
    pub any_tags: Vec<String>,
    /// Tag slugs the post must have none of; a slug no tag has excludes
    /// nothing.
    pub none_tags: Vec<String>,
    /// Case-insensitive substring of the title (already lower-cased).
    pub title_contains: Option<String>,
    /// Only for the admin; the public always sees visible posts.
    pub status: StatusFilter,
    /// Only this user's posts: what a contributor's or author's list of
    /// posts that are not visible shows.
    pub owner: Option<Owner>,
    /// Posts by any of these users (slugs).
    pub authors: Vec<String>,
}

/// A page of posts, newest `published_at` first, with their tags.
#[derive(Debug, Clone)]
pub struct ListPosts {
    pub filter: PostFilter,
    pub audience: Audience,
    pub page: PageRequest,
}

/// A page to read from the database, and where its total comes from.
#[derive(Debug, Clone)]
pub struct PlannedPage {
    pub key: PageKey,
    /// The total, when memory knows it; else the page counts it.
    pub known_total: Option<i64>,
    /// Under which key the total counted with the page joins the counts.
    pub total_key: Option<TotalKey>,
    /// The page's first post, found in memory: the page seeks to it.
    pub seek: Option<ListKey>,
}

impl ListPosts {
    /// The posts the list shows, with tag slugs looked up in the counts
    /// (so that the database plans with each tag's own statistics); `None`
    /// when a slug no tag has makes it match nothing.
    fn matching(&self, counts: &TagCounts) -> Option<MatchingPosts> {
        let status = match self.audience {
            Audience::Public => StatusFilter::Published,
            Audience::Admin => self.filter.status,
        };
        let mut all_tags: Vec<i64> = self
            .filter
            .all_tags
            .iter()
            .map(|slug| counts.tag_id(slug))
            .collect::<Option<_>>()?;
        let mut any_tags: Vec<i64> = self
            .filter
            .any_tags
            .iter()
            .filter_map(|slug| counts.tag_id(slug))
            .collect();
        if !self.filter.any_tags.is_empty() && any_tags.is_empty() {
            return None;
        }
        let mut none_tags: Vec<i64> = self
            .filter
            .none_tags
            .iter()
            .filter_map(|slug| counts.tag_id(slug))
            .collect();
        for ids in [&mut all_tags, &mut any_tags, &mut none_tags] {
            ids.sort_unstable();
            ids.dedup();
        }
        Some(MatchingPosts {
            tag_walk: tag_walk(counts, status, &all_tags, self.page),
            status,
            all_tags,
            any_tags,
            none_tags,
            title_contains: self.filter.title_contains.clone(),
            owner: self.filter.owner,
            author_slugs: self.filter.authors.clone(),
        })
    }
}

impl CachedRead for ListPosts {
    type Memory = CountedMemory;
    type Answer = PostPage;
    type Error = ServiceError;
    type Query = PlannedPage;

    fn look_up(self, memory: &CountedMemory) -> Lookup<ServiceResult<PostPage>, PlannedPage> {
        let Some(matching) = self.matching(memory.counts()) else {
            return Lookup::Found(Ok(Arc::new(Page::empty(self.page))));
        };
        // Whether a post matches depends on what `count_changes` watches
        // (giving a post to another user included), unless the title is
        // searched.
        let total_key = matching.title_contains.is_none().then(|| TotalKey {
            status: matching.status,
            all_tags: matching.all_tags.clone(),
            any_tags: matching.any_tags.clone(),
            none_tags: matching.none_tags.clone(),
            author_slugs: matching.author_slugs.clone(),
            owner: matching.owner,
        });
        let key = PageKey {
            matching,
            page: self.page,
        };
        if let Some(page) = memory.memory().page(&key) {
            return Lookup::Found(Ok(page));
        }
        if let Some(order) = order_of_every_post(&key.matching).filter(|_| self.page.offset() > 0) {
            let (start, total) = memory.counts().page_start(order, self.page.offset());
            let Some(start) = start else {
                let past_the_end = Page {
                    total,
                    ..Page::empty(self.page)
                };
                return Lookup::Found(Ok(Arc::new(past_the_end)));
            };
            return Lookup::Missing(PlannedPage {
                key,
                known_total: Some(total),
                total_key: None,
                seek: Some(start),
            });
        }
        Lookup::Missing(PlannedPage {
            key,
            known_total: total_key
                .as_ref()
                .and_then(|key| memory.counts().total(key)),
            total_key,
            seek: None,
        })
    }

    fn load(
        planned: PlannedPage,
        conn: &mut DbConn,
        memory: &CountedMemory,
    ) -> ServiceResult<PostPage> {
        load_page(conn, memory, planned)
    }
}

/// The order of a list of every visible post, or of every post not
/// trashed: the lists whose every post memory holds in order.
fn order_of_every_post(matching: &MatchingPosts) -> Option<ListOrder> {
    let unfiltered = matching.all_tags.is_empty()
        && matching.any_tags.is_empty()
        && matching.none_tags.is_empty()
        && matching.title_contains.is_none()
        && matching.owner.is_none()
        && matching.author_slugs.is_empty();
    match matching.status {
        StatusFilter::Published if unfiltered => Some(ListOrder::Public),
        StatusFilter::All if unfiltered => Some(ListOrder::Admin),
        _ => None,
    }
}

/// How a page of the posts with `status` that carry all of `tags` is best
/// found: a public list walks its rarest tag's links in public order.
pub fn tag_walk(
    counts: &TagCounts,
    status: StatusFilter,
    tags: &[i64],
    page: PageRequest,
) -> TagWalk {
    match counts.rarest(tags) {
        Some(rarest) if status == StatusFilter::Published => TagWalk::PublicLinksOf(rarest),
        _ => TagWalk::ByTags {
            newest_first_is_cheaper: counts.walking_is_cheaper(tags, page.offset() + page.limit()),
        },
    }
}

/// Reads a planned page with its posts' tags, and remembers it (and the
/// total it counted, with the counts it agrees with).
pub fn load_page(
    conn: &mut DbConn,
    memory: &CountedMemory,
    planned: PlannedPage,
) -> ServiceResult<PostPage> {
    let PlannedPage {
        key,
        known_total,
        total_key,
        seek,
    } = planned;
    let counting = match known_total {
        Some(_) => Counting::No,
        None if counts_apart(&key.matching) => Counting::Apart,
        None => Counting::WithPage,
    };
    let start = match seek {
        Some(key) => PageStart::Seek(key),
        None => PageStart::Offset,
    };
    let found = post_lists::page(conn, &key.matching, key.page, start, memory.now(), counting)?;
    let ids: Vec<i64> = found.posts.iter().map(|(post, _)| post.id).collect();
    let mut tags = tags_of_posts(conn, memory.counts(), &ids)?;
    let page = Arc::new(Page {
        items: found
            .posts
            .into_iter()
            .map(|(post, author)| PostWithTags {
                tags: tags.remove(&post.id).unwrap_or_default(),
                post,
                author,
            })
            .collect(),
        request: key.page,
        total: known_total.or(found.total).unwrap_or_default(),
    });
    if let (Some(total_key), Some(counted_at)) = (total_key, found.counted_at) {
        memory
            .counts()
            .remember_total(total_key, counted_at, page.total);
    }
    memory.memory().remember_page(key, &page);
    Ok(page)
}

/// Whether a list's total is best counted in a statement of its own: when
/// the page, walking the posts newest first, would otherwise carry every
/// match (whole rows) through `count(*) OVER ()` to find twenty — a title
/// search, or some users' posts.
fn counts_apart(matching: &MatchingPosts) -> bool {
    matching.title_contains.is_some()
        || matching.owner.is_some()
        || !matching.author_slugs.is_empty()
}

/// The tags of the posts of a page, each list in the author's order: the
/// links from the database, the tags themselves from the counts (current
/// at the start of the request), and from the database only those created
/// since.
pub(super) fn tags_of_posts(
    conn: &mut DbConn,
    counts: &TagCounts,
    post_ids: &[i64],
) -> ServiceResult<HashMap<i64, Vec<TagRow>>> {
    let links = links::links_of_posts(conn, post_ids)?;
    let unknown: Vec<i64> = links
        .iter()
        .map(|&(_, tag_id)| tag_id)
        .filter(|&tag_id| counts.tag_by_id(tag_id).is_none())
        .collect();
    let newer: HashMap<i64, TagRow> = if unknown.is_empty() {
        HashMap::new()
    } else {
        let rows = tags::by_ids(conn, &unknown)?;
        rows.into_iter().map(|tag| (tag.id, tag)).collect()
    };
    let mut by_post: HashMap<i64, Vec<TagRow>> = HashMap::new();
    for (post_id, tag_id) in links {
        // Missing only if created after the counts and deleted since.
        if let Some(tag) = counts.tag_by_id(tag_id).or_else(|| newer.get(&tag_id)) {
            by_post.entry(post_id).or_default().push(tag.clone());
        }
    }
    Ok(by_post)
}
