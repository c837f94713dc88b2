//! The tag counts as numbers, before they are arranged for reading: kept
//! exact by applying the changes each write made (the count deltas), and
//! by moving what was scheduled into the visible counts when its date
//! comes, with no counting afresh.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::ordered_keys::{ListKey, OrderedKeys};
use super::schedule::{Counter, Schedule};
use crate::db::count_deltas::CountDelta;
use crate::domain::time::never_dated;
use crate::models::{TagRow, TagWithCounts};

/// Every post's key in the lists' orders, as read when counting afresh.
#[derive(Debug, Default)]
pub struct ListOrders {
    /// (published_at, id) of the published posts not trashed that have a date.
    pub public: Vec<ListKey>,
    /// (listed_at, id) of the posts not trashed.
    pub admin: Vec<ListKey>,
}

/// Every tag with its counts as of one moment, how many posts are visible
/// then, what becomes visible later, and where each post is in the lists.
#[derive(Debug, Clone)]
pub struct Tallies {
    pub tags: HashMap<i64, Arc<TagWithCounts>>,
    pub visible_posts: i64,
    /// Published posts not trashed, by date: the public order, scheduled
    /// posts first.
    pub public_order: OrderedKeys,
    /// Posts not trashed, never dated first: the admin order.
    pub admin_order: OrderedKeys,
    /// The moment the visible counts are for.
    as_of: NaiveDateTime,
    /// For each date after `as_of`, how much each counter grows then.
    scheduled: Schedule,
}

impl Tallies {
    /// `scheduled` lists, for each tag (`Some`) or for posts (`None`), how
    /// many become visible at a date after `as_of`.
    pub fn new(
        tags: Vec<TagWithCounts>,
        visible_posts: i64,
        as_of: NaiveDateTime,
        scheduled: Vec<(Counter, NaiveDateTime, i64)>,
        orders: ListOrders,
    ) -> Self {
        let mut tallies = Tallies {
            tags: tags.into_iter().map(|t| (t.tag.id, Arc::new(t))).collect(),
            visible_posts,
            public_order: OrderedKeys::new(orders.public),
            admin_order: OrderedKeys::new(orders.admin),
            as_of,
            scheduled: Schedule::default(),
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
        self.scheduled.next_due()
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
                CountDelta::Post {
                    post_id,
                    posts,
                    public_at,
                    published_at,
                } => {
                    self.place(post_id, posts, public_at, published_at);
                    match public_at {
                        Some(date) if date > self.as_of => self.schedule(None, date, posts),
                        Some(_) => self.visible_posts += posts,
                        None => {}
                    }
                }
                CountDelta::Tag(_) => {}
            }
        }
        if !deleted.is_empty() {
            for id in &deleted {
                self.tags.remove(id);
            }
            self.scheduled
                .forget(|counter| counter.is_some_and(|id| deleted.contains(&id)));
        }
    }

    /// Moves into the visible counts what is scheduled up to `now`.
    pub fn advance(&mut self, now: NaiveDateTime) {
        for counters in self.scheduled.take_due(now) {
            for (counter, count) in counters {
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

    /// Puts a post into the lists' orders (`posts` +1) or takes it out (-1).
    fn place(
        &mut self,
        post_id: i64,
        posts: i64,
        public_at: Option<NaiveDateTime>,
        published_at: Option<NaiveDateTime>,
    ) {
        let admin_key = (published_at.unwrap_or_else(never_dated), post_id);
        let public_key = public_at.map(|date| (date, post_id));
        if posts > 0 {
            self.admin_order.insert(admin_key);
            if let Some(key) = public_key {
                self.public_order.insert(key);
            }
        } else {
            self.admin_order.remove(admin_key);
            if let Some(key) = public_key {
                self.public_order.remove(key);
            }
        }
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
        self.scheduled.add(counter, date, count);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{NaiveDate, TimeDelta};
    use proptest::prelude::*;

    use super::*;

    /// A post's part in the counts: not trashed, and visible from when
    /// (published with a date).
    type State = (bool, Option<i64>);

    /// Moments some hours apart, so that schedules span several days.
    fn at(hours: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + TimeDelta::hours(hours)
    }

    fn tag(id: i64) -> TagWithCounts {
        let row = TagRow {
            id,
            name: format!("t{id}"),
            name_key: format!("t{id}"),
            slug: format!("t{id}"),
            description: None,
            created_at: at(0),
        };
        TagWithCounts {
            tag: row,
            post_count: 0,
            total_count: 0,
        }
    }

    /// What the `GROUP BY` would say at `now` of posts with these states
    /// and links.
    fn counted(
        posts: &BTreeMap<i64, (State, Vec<i64>)>,
        now: i64,
    ) -> (BTreeMap<i64, (i64, i64)>, i64) {
        let mut tags: BTreeMap<i64, (i64, i64)> = (0..4).map(|id| (id, (0, 0))).collect();
        let mut visible_posts = 0;
        for ((counted, public_at), links) in posts.values() {
            let visible = *counted && public_at.is_some_and(|date| date <= now);
            visible_posts += i64::from(visible);
            for tag in links {
                let entry = tags.get_mut(tag).unwrap();
                entry.0 += i64::from(visible);
                entry.1 += i64::from(*counted);
            }
        }
        (tags, visible_posts)
    }

    /// The deltas the triggers write when a post goes from `old` to `new`.
    fn deltas(
        post_id: i64,
        old: Option<&(State, Vec<i64>)>,
        new: Option<&(State, Vec<i64>)>,
    ) -> Vec<CountDelta> {
        let mut out = Vec::new();
        for (side, sign) in [(old, -1), (new, 1)] {
            if let Some(((true, public_at), links)) = side {
                let public_at = public_at.map(at);
                out.push(CountDelta::Post {
                    post_id,
                    posts: sign,
                    public_at,
                    published_at: public_at,
                });
                for tag_id in links {
                    out.push(CountDelta::Link {
                        tag_id: *tag_id,
                        posts: sign,
                        public_at,
                    });
                }
            }
        }
        out
    }

    fn post() -> impl Strategy<Value = (State, Vec<i64>)> {
        let state = (any::<bool>(), proptest::option::of(0..60i64));
        (state, proptest::collection::btree_set(0..4i64, 0..4))
            .prop_map(|(state, links)| (state, links.into_iter().collect()))
    }

    proptest! {
        /// Applying the deltas of any writes, and moving the clock on,
        /// gives what counting afresh gives at every moment.
        #[test]
        fn applying_deltas_equals_counting_afresh(
            writes in proptest::collection::vec((0..6i64, proptest::option::of(post()), 0..5i64), 1..40),
        ) {
            let mut posts: BTreeMap<i64, (State, Vec<i64>)> = BTreeMap::new();
            let mut tallies = Tallies::new(
                (0..4).map(tag).collect(), 0, at(0), Vec::new(), ListOrders::default(),
            );
            let mut now = 0;
            for (id, new, wait) in writes {
                let old = posts.get(&id).cloned();
                // As the counts do: to the moment of reading, then the changes.
                now += wait;
                tallies.advance(at(now));
                tallies.apply(&deltas(id, old.as_ref(), new.as_ref()), Vec::new());
                match new {
                    Some(new) => posts.insert(id, new),
                    None => posts.remove(&id),
                };
                let (expected, visible_posts) = counted(&posts, now);
                let actual: BTreeMap<i64, (i64, i64)> = tallies
                    .tags
                    .iter()
                    .map(|(id, t)| (*id, (t.post_count, t.total_count)))
                    .collect();
                prop_assert_eq!(actual, expected);
                prop_assert_eq!(tallies.visible_posts, visible_posts);
                prop_assert!(tallies.next_due().is_none_or(|due| due > at(now)));
                let listed = posts.values().filter(|((counted, _), _)| *counted).count();
                prop_assert_eq!(tallies.admin_order.len(), listed);
                let dated = posts
                    .values()
                    .filter(|((counted, date), _)| *counted && date.is_some())
                    .count();
                prop_assert_eq!(tallies.public_order.len(), dated);
            }
        }
    }

    #[test]
    fn a_tag_named_by_a_change_and_gone_is_deleted_with_what_it_had_scheduled() {
        let scheduled = vec![(Some(1), at(5), 1)];
        let orders = ListOrders::default();
        let mut tallies = Tallies::new(vec![tag(1), tag(2)], 0, at(0), scheduled, orders);
        let mut renamed = tag(2).tag;
        renamed.name = "renamed".into();
        tallies.apply(
            &[CountDelta::Tag(1), CountDelta::Tag(2), CountDelta::Tag(3)],
            vec![renamed, tag(3).tag],
        );
        let mut ids: Vec<i64> = tallies.tags.keys().copied().collect();
        ids.sort();
        assert_eq!(ids, [2, 3]);
        assert_eq!(tallies.tags[&2].tag.name, "renamed");
        assert_eq!(tallies.next_due(), None);
    }
}
