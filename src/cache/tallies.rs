//! The tag counts as numbers, before they are arranged for reading: kept
//! exact by applying the changes each write made (the count deltas), and
//! by moving what was scheduled into the visible counts when its date
//! comes, with no counting afresh.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::db::count_deltas::CountDelta;
use crate::models::{TagRow, TagWithCounts};

/// Whose visible count a scheduled change goes to: a tag's (`Some`), or
/// the number of visible posts (`None`).
type Counter = Option<i64>;

/// Every tag with its counts as of one moment, how many posts are visible
/// then, and what becomes visible later.
#[derive(Debug, Clone)]
pub struct Tallies {
    pub tags: HashMap<i64, Arc<TagWithCounts>>,
    pub visible_posts: i64,
    /// The moment the visible counts are for.
    as_of: NaiveDateTime,
    /// For each date after `as_of`, how much each counter grows then.
    scheduled: BTreeMap<NaiveDateTime, HashMap<Counter, i64>>,
}

impl Tallies {
    /// `scheduled` lists, for each tag (`Some`) or for posts (`None`), how
    /// many become visible at a date after `as_of`.
    pub fn new(
        tags: Vec<TagWithCounts>,
        visible_posts: i64,
        as_of: NaiveDateTime,
        scheduled: Vec<(Counter, NaiveDateTime, i64)>,
    ) -> Self {
        let mut tallies = Tallies {
            tags: tags.into_iter().map(|t| (t.tag.id, Arc::new(t))).collect(),
            visible_posts,
            as_of,
            scheduled: BTreeMap::new(),
        };
        for (counter, date, count) in scheduled {
            tallies.schedule(counter, date, count);
        }
        tallies
    }

    pub fn as_of(&self) -> NaiveDateTime {
        self.as_of
    }

    /// When the next scheduled change comes due, if any is waiting.
    pub fn next_due(&self) -> Option<NaiveDateTime> {
        self.scheduled.keys().next().copied()
    }

    /// Applies the changes of committed writes, in commit order. `rows` are
    /// the current rows of the tags that `Tag` changes name: a tag named
    /// there and absent from `rows` was deleted.
    pub fn apply(&mut self, changes: &[CountDelta], rows: Vec<TagRow>) {
        let changed: HashSet<i64> = changes
            .iter()
            .filter_map(|change| match change {
                CountDelta::Tag(id) => Some(*id),
                _ => None,
            })
            .collect();
        let mut deleted = changed;
        for row in rows {
            deleted.remove(&row.id);
            match self.tags.get_mut(&row.id) {
                Some(tag) => Arc::make_mut(tag).tag = row,
                None => {
                    let tag = TagWithCounts {
                        tag: row,
                        post_count: 0,
                        total_count: 0,
                    };
                    self.tags.insert(tag.tag.id, Arc::new(tag));
                }
            }
        }
        for change in changes {
            match *change {
                CountDelta::Link {
                    tag_id,
                    posts,
                    public_at,
                } => self.count_link(tag_id, posts, public_at),
                CountDelta::Post { posts, public_at } => match public_at {
                    Some(date) if date > self.as_of => self.schedule(None, date, posts),
                    Some(_) => self.visible_posts += posts,
                    None => {}
                },
                CountDelta::Tag(_) => {}
            }
        }
        if !deleted.is_empty() {
            for id in &deleted {
                self.tags.remove(id);
            }
            self.scheduled.retain(|_, counters| {
                counters.retain(|counter, _| counter.is_none_or(|id| !deleted.contains(&id)));
                !counters.is_empty()
            });
        }
    }

    /// Moves into the visible counts what is scheduled up to `now`.
    pub fn advance(&mut self, now: NaiveDateTime) {
        while let Some(entry) = self.scheduled.first_entry() {
            if *entry.key() > now {
                break;
            }
            for (counter, count) in entry.remove() {
                match counter {
                    Some(id) => {
                        if let Some(tag) = self.tags.get_mut(&id) {
                            Arc::make_mut(tag).post_count += count;
                        }
                    }
                    None => self.visible_posts += count,
                }
            }
        }
        self.as_of = self.as_of.max(now);
    }

    fn count_link(&mut self, tag_id: i64, posts: i64, public_at: Option<NaiveDateTime>) {
        let Some(tag) = self.tags.get_mut(&tag_id) else {
            // A tag deleted since: its links went with it.
            return;
        };
        let tag = Arc::make_mut(tag);
        tag.total_count += posts;
        match public_at {
            Some(date) if date > self.as_of => self.schedule(Some(tag_id), date, posts),
            Some(_) => tag.post_count += posts,
            None => {}
        }
    }

    fn schedule(&mut self, counter: Counter, date: NaiveDateTime, count: i64) {
        let counters = self.scheduled.entry(date).or_default();
        let total = counters.entry(counter).or_default();
        *total += count;
        if *total == 0 {
            counters.remove(&counter);
            if counters.is_empty() {
                self.scheduled.remove(&date);
            }
        }
    }
}
