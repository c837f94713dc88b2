//! Every tag with its counts, as of one snapshot, held in memory and asked
//! what the `GROUP BY` would answer: tag lists, single tags, and the facts
//! post lists are planned with.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDateTime;

use super::ordered_keys::ListKey;
use super::schedule::Counter;
use super::tallies::{ListOrders, Tallies};
use crate::db::count_deltas::{self, CountDelta, LogPosition, Since};
use crate::db::post_lists::{Owner, StatusFilter};
use crate::db::{DbConn, author_counts, change_counters, post_lists, tag_counts, tags};
use crate::domain::page::{Page, PageRequest};
use crate::models::{AuthorProfileRow, AuthorWithCount, TagRow, TagWithCounts};

/// Post-list totals remembered with one set of counts; past this many
/// distinct filters, they are forgotten and remembering starts again.
const MAX_REMEMBERED_TOTALS: usize = 10_000;

/// Sort orders of the tag list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TagSort {
    /// Most visible posts first, then by name.
    #[default]
    Count,
    Name,
    /// Newest first.
    Created,
}

impl TagSort {
    /// Every order by name, as a request gives it.
    pub const NAMES: [&'static str; 3] = ["count", "name", "created"];

    pub fn named(name: &str) -> Option<Self> {
        Some(match name {
            "count" => TagSort::Count,
            "name" => TagSort::Name,
            "created" => TagSort::Created,
            _ => return None,
        })
    }
}

/// Which tags a tag list shows, in which order.
#[derive(Debug, Clone, Default)]
pub struct TagListQuery {
    pub sort: TagSort,
    /// Only tags with at least this many visible posts.
    pub min_count: i64,
    /// Case-insensitive prefix of the name (already lower-cased).
    pub prefix: Option<String>,
    /// Whether internal tags are listed: to authenticated callers only.
    pub authenticated: bool,
}

/// What a post list's total depends on, when that is only what the
/// `count_changes` counter watches. Tag ids are sorted and unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TotalKey {
    pub status: StatusFilter,
    pub all_tags: Vec<i64>,
    pub any_tags: Vec<i64>,
    pub none_tags: Vec<i64>,
    /// Slugs of users (never changed once given), sorted and unique.
    pub author_slugs: Vec<String>,
    pub owner: Option<Owner>,
}

/// The orders lists of every post are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// Visible posts, newest first.
    Public,
    /// Posts not trashed, never dated first, then newest first.
    Admin,
}

/// Every tag with its counts, as of one snapshot.
pub struct TagCounts {
    /// The committed `count_changes` in the snapshot the counts come from.
    count_changes: i64,
    /// Where in the count deltas the counts are exact.
    position: LogPosition,
    tallies: Tallies,
    /// Most visible posts first, then by name (the default sort).
    by_count: Vec<Arc<TagWithCounts>>,
    by_name: Vec<Arc<TagWithCounts>>,
    by_created: Vec<Arc<TagWithCounts>>,
    by_slug: HashMap<String, Arc<TagWithCounts>>,
    /// Users with a visible post: most first, then by name.
    authors_by_count: Vec<Arc<AuthorWithCount>>,
    /// Every user, by slug.
    authors_by_slug: HashMap<String, Arc<AuthorWithCount>>,
    /// Post-list totals counted at `count_changes`.
    totals: Mutex<HashMap<TotalKey, i64>>,
}

/// The counts a catch-up read: the changes committed since, and where
/// they leave the reader.
struct CatchUp {
    count_changes: i64,
    changes: Vec<CountDelta>,
    position: LogPosition,
    rows: Vec<TagRow>,
    users: Vec<AuthorProfileRow>,
}

impl TagCounts {
    /// Counts every tag at `now`, in one snapshot with the committed
    /// changes they are exact for: the `GROUP BY` join, the visible and
    /// scheduled posts, and the position in the count deltas.
    pub fn take(conn: &mut DbConn, now: NaiveDateTime) -> diesel::QueryResult<Self> {
        let (changes, position, (tags, authors), visible_posts, scheduled, (public, admin)) = conn
            .read_snapshot(|conn| {
                Ok((
                    change_counters::read(conn)?,
                    count_deltas::position(conn)?,
                    (tag_counts::all(conn, now)?, author_counts::all(conn, now)?),
                    tag_counts::visible_posts(conn, now)?,
                    scheduled_counts(conn, now)?,
                    post_lists::orders(conn)?,
                ))
            })?;
        let orders = ListOrders { public, admin };
        let tallies = Tallies::new(tags, authors, visible_posts, now, scheduled, orders);
        Ok(Self::arrange(changes.count_changes, position, tallies))
    }

    /// These counts brought up to the latest snapshot by applying the
    /// changes committed since, and to `now`; `None` when the log cannot
    /// say what changed (only [`TagCounts::take`] is exact then).
    pub fn caught_up(
        &self,
        conn: &mut DbConn,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<Option<Self>> {
        let catch_up = conn.read_snapshot(|conn| {
            let count_changes = change_counters::read(conn)?.count_changes;
            let (changes, position) = match count_deltas::since(conn, &self.position)? {
                Since::Changes(changes, position) => (changes, position),
                Since::Untrusted => return Ok(None),
            };
            let changed: Vec<i64> = changes
                .iter()
                .filter_map(|change| match change {
                    CountDelta::Tag(id) => Some(*id),
                    _ => None,
                })
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let rows = match changed.is_empty() {
                true => Vec::new(),
                false => tags::by_ids(conn, &changed)?,
            };
            let changed_users: Vec<i64> = changes
                .iter()
                .filter_map(|change| match change {
                    CountDelta::User(id) => Some(*id),
                    _ => None,
                })
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let users = match changed_users.is_empty() {
                true => Vec::new(),
                false => author_counts::by_ids(conn, &changed_users)?,
            };
            Ok(Some(CatchUp {
                count_changes,
                changes,
                position,
                rows,
                users,
            }))
        })?;
        Ok(catch_up.map(|catch_up| {
            let mut tallies = self.tallies.clone();
            // First to `now`, so that what the changes make visible by then
            // is counted as visible at once, not scheduled.
            tallies.advance(now);
            tallies.apply(&catch_up.changes, catch_up.rows, catch_up.users);
            Self::arrange(catch_up.count_changes, catch_up.position, tallies)
        }))
    }

    /// These counts at `now`, with what was scheduled until then made
    /// visible.
    pub fn advanced(&self, now: NaiveDateTime) -> Self {
        let mut tallies = self.tallies.clone();
        tallies.advance(now);
        Self::arrange(self.count_changes, self.position.clone(), tallies)
    }

    fn arrange(count_changes: i64, position: LogPosition, tallies: Tallies) -> Self {
        let tags: Vec<Arc<TagWithCounts>> = tallies.tags.values().cloned().collect();
        let sorted = |compare: fn(&TagWithCounts, &TagWithCounts) -> std::cmp::Ordering| {
            let mut sorted = tags.clone();
            sorted.sort_unstable_by(|a, b| compare(a, b));
            sorted
        };
        let by_count = sorted(|a, b| {
            b.post_count
                .cmp(&a.post_count)
                .then_with(|| a.tag.name_key.cmp(&b.tag.name_key))
                .then_with(|| a.tag.id.cmp(&b.tag.id))
        });
        let by_name = sorted(|a, b| {
            a.tag
                .name_key
                .cmp(&b.tag.name_key)
                .then_with(|| a.tag.id.cmp(&b.tag.id))
        });
        let by_created = sorted(|a, b| {
            b.tag
                .created_at
                .cmp(&a.tag.created_at)
                .then_with(|| b.tag.id.cmp(&a.tag.id))
        });
        let (authors_by_count, authors_by_slug) = arrange_authors(&tallies);
        Self {
            count_changes,
            position,
            by_count,
            by_name,
            by_created,
            by_slug: tags.into_iter().map(|t| (t.tag.slug.clone(), t)).collect(),
            authors_by_count,
            authors_by_slug,
            tallies,
            totals: Mutex::default(),
        }
    }

    /// Whether the counts are exact for a request that read `count_changes`
    /// at `now`: no count-changing write has committed since they were
    /// taken (counts newer than the request's reading are exact too), and
    /// no scheduled post has become visible.
    pub fn hold_for(&self, count_changes: i64, now: NaiveDateTime) -> bool {
        self.holds_after(count_changes) && self.tallies.next_due().is_none_or(|due| now < due)
    }

    /// Whether no count-changing write has committed since a request read
    /// `count_changes`: the counts are exact for it once brought to its time.
    pub fn holds_after(&self, count_changes: i64) -> bool {
        self.count_changes >= count_changes
    }

    /// When the next scheduled post comes due, if one is waiting: every
    /// count and list may change then.
    pub fn next_due(&self) -> Option<NaiveDateTime> {
        self.tallies.next_due()
    }

    /// The moment the counts are for.
    pub fn taken_at(&self) -> NaiveDateTime {
        self.tallies.as_of()
    }

    /// A page of tags, exactly as the `GROUP BY` query would answer it.
    pub fn list(&self, query: &TagListQuery, page: PageRequest) -> Page<TagWithCounts> {
        let ordered = match query.sort {
            TagSort::Count => &self.by_count,
            TagSort::Name => &self.by_name,
            TagSort::Created => &self.by_created,
        };
        let matching = ordered.iter().filter(|tag| {
            tag.tag.visibility().is_seen(query.authenticated)
                && tag.post_count >= query.min_count
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

    /// A page of the users with a visible post, most first, then by name:
    /// as the `GROUP BY` would answer.
    pub fn authors(&self, page: PageRequest) -> Page<AuthorWithCount> {
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let items = self
            .authors_by_count
            .iter()
            .skip(offset)
            .take(page.per_page as usize)
            .map(|author| AuthorWithCount::clone(author))
            .collect();
        Page {
            items,
            request: page,
            total: i64::try_from(self.authors_by_count.len()).unwrap_or(i64::MAX),
        }
    }

    /// One user with their visible posts, whether they have any or not.
    pub fn author(&self, slug: &str) -> Option<AuthorWithCount> {
        self.authors_by_slug
            .get(slug)
            .map(|author| AuthorWithCount::clone(author))
    }

    /// One tag with its counts.
    pub fn tag(&self, slug: &str) -> Option<TagWithCounts> {
        self.by_slug.get(slug).map(|tag| TagWithCounts::clone(tag))
    }

    /// The tag with this id, if it existed when the counts were taken.
    pub fn tag_by_id(&self, id: i64) -> Option<&TagRow> {
        self.tallies.tags.get(&id).map(|tag| &tag.tag)
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
        let visible = self.tallies.visible_posts.max(1) as f64;
        let mut share = 1.0;
        let mut rarest = i64::MAX;
        for id in tags {
            let count = self.tallies.tags.get(id).map_or(0, |tag| tag.post_count);
            rarest = rarest.min(count);
            share *= count as f64 / visible;
        }
        share > 0.0 && (wanted as f64 / share) < rarest as f64
    }

    /// How many visible posts carry the tag (0 for a tag unknown to these
    /// counts).
    pub fn post_count(&self, tag_id: i64) -> i64 {
        self.tallies
            .tags
            .get(&tag_id)
            .map_or(0, |tag| tag.post_count)
    }

    /// Of `tags`, the one on the fewest visible posts.
    pub fn rarest(&self, tags: &[i64]) -> Option<i64> {
        tags.iter().copied().min_by_key(|&id| self.post_count(id))
    }

    /// Where the page at `offset` of a list of every post of `order` starts,
    /// found in memory (`None`: past the end), and how many posts the list
    /// has: a deep page seeks to its first post instead of counting past
    /// the ones before it.
    pub fn page_start(&self, order: ListOrder, offset: i64) -> (Option<ListKey>, i64) {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let (keys, skipped) = match order {
            // Scheduled posts lead the public order; they are not visible.
            ListOrder::Public => {
                let keys = &self.tallies.public_order;
                (keys, keys.dated_after(self.tallies.as_of()))
            }
            ListOrder::Admin => (&self.tallies.admin_order, 0),
        };
        let total = keys.len() - skipped;
        let start = (offset < total)
            .then(|| keys.nth(skipped + offset))
            .flatten();
        (start, i64::try_from(total).unwrap_or(i64::MAX))
    }

    /// A post list's total, if remembered with these counts.
    pub fn total(&self, key: &TotalKey) -> Option<i64> {
        self.totals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .copied()
    }

    /// Remembers a post list's total counted when the committed
    /// `count_changes` were `counted_at`: only a count of the same moment as
    /// these counts may join them.
    pub fn remember_total(&self, key: TotalKey, counted_at: i64, total: i64) {
        if counted_at != self.count_changes {
            return;
        }
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        if totals.len() >= MAX_REMEMBERED_TOTALS {
            totals.clear();
        }
        totals.insert(key, total);
    }
}

/// Everything scheduled, by counter.
fn scheduled_counts(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> diesel::QueryResult<Vec<(Counter, NaiveDateTime, i64)>> {
    let tags = tag_counts::scheduled(conn, now)?
        .into_iter()
        .map(|(tag, date, n)| (tag.map_or(Counter::Posts, Counter::Tag), date, n));
    let authors = author_counts::scheduled(conn, now)?
        .into_iter()
        .map(|(author, date, n)| (Counter::Author(author), date, n));
    Ok(tags.chain(authors).collect())
}

/// The authors in the list's order, and every user by slug.
type ArrangedAuthors = (
    Vec<Arc<AuthorWithCount>>,
    HashMap<String, Arc<AuthorWithCount>>,
);

/// The users with a visible post, most first, then by name (whatever the
/// case), then by id; and every user by slug.
fn arrange_authors(tallies: &Tallies) -> ArrangedAuthors {
    let mut by_count: Vec<(String, Arc<AuthorWithCount>)> = tallies
        .authors
        .values()
        .filter(|author| author.post_count > 0)
        .map(|author| (author.author.name.to_lowercase(), author.clone()))
        .collect();
    by_count.sort_unstable_by(|(a_name, a), (b_name, b)| {
        b.post_count
            .cmp(&a.post_count)
            .then_with(|| a_name.cmp(b_name))
            .then_with(|| a.author.id.cmp(&b.author.id))
    });
    let by_slug = tallies
        .authors
        .values()
        .map(|author| (author.author.slug.clone(), author.clone()))
        .collect();
    (
        by_count.into_iter().map(|(_, author)| author).collect(),
        by_slug,
    )
}
