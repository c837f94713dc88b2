//! Exact tag counts, served from memory.
//!
//! Counting every tag's posts is one `GROUP BY` join over all post-tag links
//! ([`tags::all_with_counts`]): linear in the links, and the one expensive
//! read of a blog. The server keeps its result in memory and proves it still
//! exact on every use, with one cheap statement:
//!
//! - every committed write that can change a count (a post's status, date or
//!   trashing, a post created or deleted, a link added or removed, a tag
//!   created, changed or deleted) adds one to `count_changes`, by trigger, in
//!   its own transaction, whichever server instance made it;
//! - the counts are computed in one snapshot together with that sum, and are
//!   used only while the sum read by a request is no greater;
//! - counts depend on the clock too (a scheduled post becomes visible at its
//!   date), so they also expire at the earliest future publication date.
//!
//! A write is therefore seen by the next read on any instance, as when the
//! join runs every time. The same proof covers the totals of post lists
//! whose filters involve only what the triggers watch (status, dates,
//! trashing, tags): they are remembered with the counts they agree with.
//!
//! Pages of posts, and single posts, are remembered the same way: a second
//! sum, `edits`, grows with every other committed change to a post (title,
//! body, ...), and a page or a post is answered from memory to a request
//! that read both sums as they were when it was read. (The HTTP layer
//! shares one reading of the sums among the requests that arrive while it
//! is made: see `http::shared_reading`.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::NaiveDateTime;
use diesel::AggregateExpressionMethods;
use diesel::dsl;
use diesel::prelude::*;

use super::posts::{MatchingPosts, PostKey, PostWithTags, StatusFilter};
use super::tags::{self, TagListQuery, TagSort, TagWithCounts};
use crate::db::DbConn;
use crate::domain::page::{Page, PageRequest};
use crate::models::PostStatus;
use crate::models::TagRow;
use crate::on_backend;
use crate::schema::{count_changes, posts};

/// Post-list totals remembered with one set of counts; past this many
/// distinct filters, they are forgotten and remembering starts again.
const MAX_REMEMBERED_TOTALS: usize = 10_000;

/// Roughly how much memory remembered pages of posts may take; past it they
/// are forgotten and remembering starts again.
const MAX_REMEMBERED_PAGE_BYTES: usize = 32 << 20;

/// The same for single posts.
const MAX_REMEMBERED_POST_BYTES: usize = 64 << 20;

/// The sum of `count_changes`, as an expression: it grows with every
/// committed transaction that can change a count. A statement that selects
/// it beside a count tells which moment the count belongs to.
pub const COMMITTED_CHANGES_SQL: &str =
    "(SELECT CAST(COALESCE(SUM(changes), 0) AS BIGINT) FROM count_changes)";

/// The counts of one moment, shared by the requests that may use them, and
/// what is remembered beside them.
#[derive(Default)]
pub struct CountCache {
    current: RwLock<Option<Arc<Counts>>>,
    /// One recount at a time: requests that find the counts stale while a
    /// recount runs wait for it rather than run the join beside it.
    recount: Mutex<()>,
    memory: Arc<Memory>,
}

impl CountCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts that are exact for a request made at `now`: the remembered
    /// ones when no count-changing write has committed since they were
    /// taken and no scheduled post has become visible, else fresh ones.
    /// One statement when the remembered counts hold.
    ///
    /// Callers should read the rest of their answer as of
    /// `now.max(counts.taken_at())`: a recount may be newer than `now`.
    pub fn counts(&self, conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Proven> {
        match self.proven(committed_writes(conn)?, now) {
            Ok(proven) => Ok(proven),
            Err(stale) => self.recount(stale, now, || Ok(conn)),
        }
    }

    /// The remembered counts if they hold for a request that read `writes`
    /// at `now`, else what a recount must catch up with.
    pub fn proven(&self, writes: Writes, now: NaiveDateTime) -> Result<Proven, Stale> {
        match self.usable(writes.changes, now) {
            Some(counts) => Ok(Proven {
                counts,
                checked: self.checked(writes),
            }),
            None => Err(Stale { writes }),
        }
    }

    /// What is remembered for a request that read `writes`.
    pub fn checked(&self, writes: Writes) -> Checked {
        Checked {
            writes,
            memory: self.memory.clone(),
        }
    }

    /// Fresh counts after [`CountCache::proven`] found the remembered ones
    /// stale. One recount runs at a time; a request that finds one running
    /// waits for it and uses its result. `connect` is called only when this
    /// request is the one to count, so that a caller can wait without
    /// holding a connection.
    pub fn recount<C, E>(
        &self,
        stale: Stale,
        now: NaiveDateTime,
        connect: impl FnOnce() -> Result<C, E>,
    ) -> Result<Proven, E>
    where
        C: std::borrow::BorrowMut<DbConn>,
        E: From<diesel::result::Error>,
    {
        let writes = stale.writes;
        let _one_at_a_time = self.recount.lock().unwrap_or_else(PoisonError::into_inner);
        let counts = match self.usable(writes.changes, now) {
            Some(counts) => counts,
            None => {
                let mut conn = connect()?;
                let counts = Arc::new(Counts::take(conn.borrow_mut(), now)?);
                *self.current.write().unwrap_or_else(PoisonError::into_inner) =
                    Some(counts.clone());
                counts
            }
        };
        Ok(Proven {
            counts,
            checked: self.checked(writes),
        })
    }

    fn usable(&self, changes: i64, now: NaiveDateTime) -> Option<Arc<Counts>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            // Newer counts than the request's reading are exact too.
            .filter(|counts| counts.changes >= changes && counts.holds_at(now))
            .cloned()
    }
}

/// Remembered counts that no longer hold, and the sums the request read.
#[derive(Debug, Clone, Copy)]
pub struct Stale {
    writes: Writes,
}

/// The sums of `count_changes` a request read: `changes` grows with every
/// committed transaction that can change a count, `edits` with every other
/// committed change to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writes {
    changes: i64,
    edits: i64,
}

impl Writes {
    /// Whether these sums were read after `other`'s, with writes between.
    fn newer_than(self, other: Writes) -> bool {
        self != other && self.changes >= other.changes && self.edits >= other.edits
    }
}

/// The sums of `count_changes`, summed here rather than by `SUM` (numeric on
/// PostgreSQL) so that the statement is a typed one, prepared once per
/// connection: every read of the counts runs it.
pub fn committed_writes(conn: &mut DbConn) -> QueryResult<Writes> {
    let shards: Vec<(i64, i64)> = on_backend!(conn, c => count_changes::table
        .select((count_changes::changes, count_changes::edits))
        .load(c))?;
    Ok(shards.into_iter().fold(
        Writes {
            changes: 0,
            edits: 0,
        },
        |sum, (changes, edits)| Writes {
            changes: sum.changes + changes,
            edits: sum.edits + edits,
        },
    ))
}

/// The sums a request read, and what was remembered by requests that read
/// the same: nothing remembered there can have changed since.
#[derive(Clone)]
pub struct Checked {
    writes: Writes,
    memory: Arc<Memory>,
}

impl Checked {
    /// The post, if a request that read the same sums read it.
    pub fn post(&self, key: &PostKey) -> Option<PostWithTags> {
        let remembered = self.memory.posts.recall(self.writes, key);
        remembered.map(|post| PostWithTags::clone(&post))
    }

    /// Remembers a post read after this request's sums.
    pub fn remember_post(&self, key: PostKey, post: &PostWithTags) {
        let bytes = post_bytes(post);
        self.memory
            .posts
            .remember(self.writes, key, post.clone(), bytes);
    }

    /// A page of posts, if a request that read the same sums read it.
    pub fn page(&self, key: &PageKey) -> Option<Page<PostWithTags>> {
        let remembered = self.memory.pages.recall(self.writes, key);
        remembered.map(|page| Page::clone(&page))
    }

    /// Remembers a page read after this request's sums.
    pub fn remember_page(&self, key: PageKey, page: &Page<PostWithTags>) {
        let bytes = page.items.iter().map(post_bytes).sum();
        self.memory
            .pages
            .remember(self.writes, key, page.clone(), bytes);
    }
}

/// Counts proven exact for one request, with the sums it read: what it
/// reads next is at least as new.
pub struct Proven {
    counts: Arc<Counts>,
    checked: Checked,
}

impl std::ops::Deref for Proven {
    type Target = Counts;

    fn deref(&self) -> &Counts {
        &self.counts
    }
}

impl Proven {
    pub fn checked(&self) -> &Checked {
        &self.checked
    }
}

/// Which page of which posts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub matching: MatchingPosts,
    pub page: PageRequest,
}

/// Answers remembered for one reading of the sums.
struct Memory {
    pages: Remembered<PageKey, Page<PostWithTags>>,
    posts: Remembered<PostKey, PostWithTags>,
}

impl Default for Memory {
    fn default() -> Self {
        Self {
            pages: Remembered::new(MAX_REMEMBERED_PAGE_BYTES),
            posts: Remembered::new(MAX_REMEMBERED_POST_BYTES),
        }
    }
}

/// Values read by requests that read the same sums, for later requests
/// that read them too. Values of older sums are forgotten; a value of sums
/// older than those remembered is not kept.
struct Remembered<K, V> {
    max_bytes: usize,
    entries: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    writes: Option<Writes>,
    values: HashMap<K, Arc<V>>,
    /// Roughly what the values hold.
    bytes: usize,
}

impl<K: Eq + std::hash::Hash, V> Remembered<K, V> {
    fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            entries: Mutex::new(Entries {
                writes: None,
                values: HashMap::new(),
                bytes: 0,
            }),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries<K, V>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Shared, so that the caller copies it outside the lock, which other
    /// requests may be waiting for.
    fn recall(&self, writes: Writes, key: &K) -> Option<Arc<V>> {
        let entries = self.entries();
        if entries.writes != Some(writes) {
            return None;
        }
        entries.values.get(key).cloned()
    }

    fn remember(&self, writes: Writes, key: K, value: V, bytes: usize) {
        let value = Arc::new(value);
        let mut entries = self.entries();
        match entries.writes {
            Some(remembered) if remembered == writes => {}
            Some(remembered) if !writes.newer_than(remembered) => return,
            _ => {
                entries.writes = Some(writes);
                entries.values.clear();
                entries.bytes = 0;
            }
        }
        if entries.bytes + bytes > self.max_bytes {
            entries.values.clear();
            entries.bytes = 0;
        }
        entries.bytes += bytes;
        entries.values.insert(key, value);
    }
}

/// Roughly the memory a post with its tags takes.
fn post_bytes(item: &PostWithTags) -> usize {
    let post = &item.post;
    512 + post.title.len()
        + post.body.len()
        + post.slug.len()
        + post.excerpt.as_ref().map_or(0, String::len)
        + item.tags.len() * 128
}

/// Every tag with its counts, as of one snapshot.
pub struct Counts {
    /// The `count_changes` sum in the snapshot the counts come from.
    changes: i64,
    taken_at: NaiveDateTime,
    /// When the earliest scheduled post becomes visible, if any is.
    expires_at: Option<NaiveDateTime>,
    /// Most visible posts first, then by name (the default sort).
    by_count: Vec<Arc<TagWithCounts>>,
    by_name: Vec<Arc<TagWithCounts>>,
    by_created: Vec<Arc<TagWithCounts>>,
    by_slug: HashMap<String, Arc<TagWithCounts>>,
    by_id: HashMap<i64, Arc<TagWithCounts>>,
    /// How many posts are visible.
    visible_posts: i64,
    totals: Mutex<HashMap<TotalKey, i64>>,
}

impl Counts {
    fn take(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Self> {
        let (writes, tags, (visible_posts, expires_at)) = conn.read_snapshot(|conn| {
            Ok((
                committed_writes(conn)?,
                tags::all_with_counts(conn, now)?,
                published_posts(conn, now)?,
            ))
        })?;
        let tags: Vec<Arc<TagWithCounts>> = tags.into_iter().map(Arc::new).collect();
        let mut by_count = tags.clone();
        by_count.sort_by(|a, b| {
            b.post_count
                .cmp(&a.post_count)
                .then_with(|| a.tag.name_key.cmp(&b.tag.name_key))
                .then_with(|| a.tag.id.cmp(&b.tag.id))
        });
        let mut by_name = tags.clone();
        by_name.sort_by(|a, b| {
            a.tag
                .name_key
                .cmp(&b.tag.name_key)
                .then_with(|| a.tag.id.cmp(&b.tag.id))
        });
        let mut by_created = tags.clone();
        by_created.sort_by(|a, b| {
            b.tag
                .created_at
                .cmp(&a.tag.created_at)
                .then_with(|| b.tag.id.cmp(&a.tag.id))
        });
        let by_slug = tags
            .iter()
            .map(|tag| (tag.tag.slug.clone(), tag.clone()))
            .collect();
        let by_id = tags.into_iter().map(|tag| (tag.tag.id, tag)).collect();
        Ok(Self {
            changes: writes.changes,
            taken_at: now,
            expires_at,
            by_count,
            by_name,
            by_created,
            by_slug,
            by_id,
            visible_posts,
            totals: Mutex::default(),
        })
    }

    fn holds_at(&self, now: NaiveDateTime) -> bool {
        self.expires_at.is_none_or(|expires_at| now < expires_at)
    }

    /// When the counts were taken.
    pub fn taken_at(&self) -> NaiveDateTime {
        self.taken_at
    }

    /// A page of tags, exactly as [`tags::list`] would answer it.
    pub fn list(&self, query: &TagListQuery, page: PageRequest) -> Page<TagWithCounts> {
        let ordered = match query.sort {
            TagSort::Count => &self.by_count,
            TagSort::Name => &self.by_name,
            TagSort::Created => &self.by_created,
        };
        let matching = ordered.iter().filter(|tag| {
            tag.post_count >= query.min_count
                && query
                    .prefix
                    .as_deref()
                    .is_none_or(|prefix| tag.tag.name_key.starts_with(prefix))
        });
        let mut total = 0;
        let mut items = Vec::new();
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = page.per_page as usize;
        for (index, tag) in matching.enumerate() {
            total += 1;
            if index >= offset && items.len() < limit {
                items.push(TagWithCounts::clone(tag));
            }
        }
        Page {
            items,
            request: page,
            total,
        }
    }

    /// One tag with its counts.
    pub fn tag(&self, slug: &str) -> Option<TagWithCounts> {
        self.by_slug.get(slug).map(|tag| TagWithCounts::clone(tag))
    }

    /// The tag with this id, if it existed when the counts were taken.
    pub fn tag_by_id(&self, id: i64) -> Option<&TagRow> {
        self.by_id.get(&id).map(|tag| &tag.tag)
    }

    /// The id of the tag with this slug, if there is one.
    pub fn tag_id(&self, slug: &str) -> Option<i64> {
        self.by_slug.get(slug).map(|tag| tag.tag.id)
    }

    /// Whether the first `wanted` visible posts carrying all of `tags` are
    /// found sooner by walking the posts newest first and checking each for
    /// the tags than by gathering every post of the rarest tag and sorting
    /// them: estimated from the counts, taking tags as independent.
    pub fn walking_is_cheaper(&self, tags: &[i64], wanted: i64) -> bool {
        if tags.is_empty() {
            return false;
        }
        let visible = self.visible_posts.max(1) as f64;
        let mut share = 1.0;
        let mut rarest = i64::MAX;
        for id in tags {
            let count = self.by_id.get(id).map_or(0, |tag| tag.post_count);
            rarest = rarest.min(count);
            share *= count as f64 / visible;
        }
        share > 0.0 && (wanted as f64 / share) < rarest as f64
    }

    /// Of `tags`, the one on the fewest visible posts.
    pub fn rarest(&self, tags: &[i64]) -> Option<i64> {
        tags.iter()
            .copied()
            .min_by_key(|id| self.by_id.get(id).map_or(0, |tag| tag.post_count))
    }

    /// A post list's total, if remembered with these counts.
    pub fn total(&self, key: &TotalKey) -> Option<i64> {
        self.totals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .copied()
    }

    /// Remembers a post list's total counted when the `count_changes` sum
    /// was `changes`: only a count of the same moment as these counts may
    /// join them.
    pub fn remember_total(&self, key: TotalKey, changes: i64, total: i64) {
        if changes != self.changes {
            return;
        }
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        if totals.len() >= MAX_REMEMBERED_TOTALS {
            totals.clear();
        }
        totals.insert(key, total);
    }
}

/// What a post list's total depends on, when that is only what the
/// `count_changes` triggers watch. Tag ids are sorted and unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TotalKey {
    pub status: StatusFilter,
    pub all_tags: Vec<i64>,
    pub any_tags: Vec<i64>,
}

/// Of the posts that are published and not trashed: how many are visible
/// at `now`, and the earliest publication date after `now` (the moment its
/// tags' counts go up).
fn published_posts(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let published: PostStatus = PostStatus::Published;
    on_backend!(conn, c => posts::table
        .filter(posts::status.eq(published))
        .filter(posts::deleted_at.is_null())
        .select((
            dsl::count(posts::id).aggregate_filter(posts::published_at.assume_not_null().le(now)),
            dsl::min(posts::published_at)
                .aggregate_filter(posts::published_at.assume_not_null().gt(now)),
        ))
        .first(c))
}
