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
use crate::models::{AuthorProfileRow, AuthorWithCount, TagRow, TagWithCounts};

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
    /// Every user, with their visible posts.
    pub authors: HashMap<i64, Arc<AuthorWithCount>>,
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
    /// `scheduled` lists, for each counter, how many become visible at a
    /// date after `as_of`.
    pub fn new(
        tags: Vec<TagWithCounts>,
        authors: Vec<AuthorWithCount>,
        visible_posts: i64,
        as_of: NaiveDateTime,
        scheduled: Vec<(Counter, NaiveDateTime, i64)>,
        orders: ListOrders,
    ) -> Self {
        let mut tallies = Tallies {
            tags: tags.into_iter().map(|t| (t.tag.id, Arc::new(t))).collect(),
            authors: authors
                .into_iter()
                .map(|a| (a.author.id, Arc::new(a)))
                .collect(),
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
    /// the current rows of the tags that `Tag` changes name, `users` those
    /// of the users that `User` changes name: one named there and absent
    /// from its rows was deleted.
    pub fn apply(
        &mut self,
        changes: &[CountDelta],
        rows: Vec<TagRow>,
        users: Vec<AuthorProfileRow>,
    ) {
        self.reread_users(changes, users);
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
                    author_id,
                } => {
                    self.place(post_id, posts, public_at, published_at);
                    match public_at {
                        Some(date) if date > self.as_of => {
                            self.schedule(Counter::Posts, date, posts)
                        }
                        Some(_) => self.visible_posts += posts,
                        None => {}
                    }
                    if let Some(author_id) = author_id {
                        self.count_authors_post(author_id, posts, public_at);
                    }
                }
                CountDelta::Tag(_) | CountDelta::User(_) => {}
            }
        }
        if !deleted.is_empty() {
            for id in &deleted {
                self.tags.remove(id);
            }
            self.scheduled
                .forget(|counter| matches!(counter, Counter::Tag(id) if deleted.contains(id)));
        }
    }

    /// Moves into the visible counts what is scheduled up to `now`.
    pub fn advance(&mut self, now: NaiveDateTime) {
        for counters in self.scheduled.take_due(now) {
            for (counter, count) in counters {
                match counter {
                    Counter::Tag(id) => {
                        if let Some(tag) = self.tags.get_mut(&id) {
                            Arc::make_mut(tag).post_count += count;
                        }
                    }
                    Counter::Author(id) => {
                        if let Some(author) = self.authors.get_mut(&id) {
                            Arc::make_mut(author).post_count += count;
                        }
                    }
                    Counter::Posts => self.visible_posts += count,
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
            Some(date) if date > self.as_of => self.schedule(Counter::Tag(tag_id), date, posts),
            Some(_) => tag.post_count += posts,
            None => {}
        }
    }

    /// A post of the author's added (+1) or removed (-1), visible from
    /// `public_at`.
    fn count_authors_post(&mut self, author_id: i64, posts: i64, public_at: Option<NaiveDateTime>) {
        match public_at {
            Some(date) if date > self.as_of => {
                self.schedule(Counter::Author(author_id), date, posts)
            }
            Some(_) => {
                if let Some(author) = self.authors.get_mut(&author_id) {
                    Arc::make_mut(author).post_count += posts;
                }
            }
            None => {}
        }
    }

    /// Takes the current rows of the users that changes name; one named
    /// and gone was deleted (its posts, if any, went to another first).
    fn reread_users(&mut self, changes: &[CountDelta], users: Vec<AuthorProfileRow>) {
        let mut deleted: HashSet<i64> = changes
            .iter()
            .filter_map(|change| match change {
                CountDelta::User(id) => Some(*id),
                _ => None,
            })
            .collect();
        for row in users {
            deleted.remove(&row.id);
            match self.authors.get_mut(&row.id) {
                Some(author) => Arc::make_mut(author).author = row,
                None => {
                    let author = AuthorWithCount {
                        author: row,
                        post_count: 0,
                    };
                    self.authors.insert(author.author.id, Arc::new(author));
                }
            }
        }
        if !deleted.is_empty() {
            self.authors.retain(|id, _| !deleted.contains(id));
            self.scheduled
                .forget(|counter| matches!(counter, Counter::Author(id) if deleted.contains(id)));
        }
    }

    fn schedule(&mut self, counter: Counter, date: NaiveDateTime, count: i64) {
        self.scheduled.add(counter, date, count);
    }
}

#[cfg(test)]
#[path = "tallies_tests.rs"]
mod tests;
