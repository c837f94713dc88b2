//! Related posts: other posts ranked by the tags they share with one, a
//! rare shared tag weighing more than a common one, ties newest first.
//!
//! A shared tag weighs `1 / ln(1 + n)`, `n` being how many visible posts
//! carry it: a tag on 2 posts weighs 0.91, on 100 posts 0.22, on 10,000
//! posts 0.11. The ranking reads the posts of the rarest tags first and
//! stops as soon as no post it has not met could still make the top: that
//! is, once the `limit`-th best score so far beats the weight of every tag
//! not read yet together. The posts that might still rank are then
//! completed with their links to the unread tags, in one read. The last tag
//! to read is read newest first, only as far as can matter: a post met on
//! it alone scores its weight, as every other such post does, so only the
//! newest of them can rank.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::NaiveDateTime;

/// The ranking of the posts related to one, as its tags' carriers are read.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// The post's tags that can be shared, rarest first, with their weight.
    tags: Vec<(i64, f64)>,
    /// How many of `tags` have had their carriers read.
    read: usize,
    /// Each post met: its score so far, and its date.
    scores: HashMap<i64, (f64, NaiveDateTime)>,
    /// The post the others are related to.
    post_id: i64,
    limit: usize,
    /// Once the last tag was read newest first: the posts met before it,
    /// whose links to it complete their scores.
    met_before_last: Option<Vec<i64>>,
}

/// How much two sums of the same weights, added in different groupings,
/// may differ by: decisions that could hinge on rounding err towards
/// reading or keeping more.
const ROUNDING: f64 = 1e-9;

/// What a shared tag carried by `posts` visible posts weighs.
pub fn weight(posts: i64) -> f64 {
    1.0 / (1.0 + posts as f64).ln()
}

impl Ranking {
    /// A ranking for `post_id`, whose tags are given with how many visible
    /// posts carry each; tags no visible post carries share nothing.
    pub fn new(post_id: i64, tags: &[(i64, i64)], limit: usize) -> Self {
        let mut tags: Vec<(i64, i64)> = tags.iter().copied().filter(|&(_, n)| n > 0).collect();
        tags.sort_unstable_by_key(|&(id, n)| (n, id));
        tags.dedup_by_key(|&mut (id, _)| id);
        Self {
            tags: tags.into_iter().map(|(id, n)| (id, weight(n))).collect(),
            read: 0,
            scores: HashMap::new(),
            post_id,
            limit,
            met_before_last: None,
        }
    }

    /// The tag whose carriers to read next; `None` once the top is settled
    /// by what was read.
    pub fn next_tag(&self) -> Option<i64> {
        let (tag, _) = *self.tags.get(self.read)?;
        let settled = self
            .last_of_the_top()
            .is_some_and(|last| last > self.unread_weight() * (1.0 + ROUNDING));
        (!settled && self.limit > 0).then_some(tag)
    }

    /// How many carriers of the next tag to read, newest first, when it is
    /// the last one to read (`None` otherwise: read them all): `limit`
    /// beside the posts met so far and the post itself.
    pub fn newest_needed(&self) -> Option<usize> {
        (self.read + 1 == self.tags.len()).then(|| self.limit + self.scores.len() + 1)
    }

    /// The newest carriers of the last tag, as many as
    /// [`Ranking::newest_needed`] said, newest first. The posts met before
    /// are left to be completed with their links to it.
    pub fn add_newest_carriers(&mut self, carriers: &[(i64, NaiveDateTime)]) {
        let Some(&(_, weight)) = self.tags.get(self.read) else {
            return;
        };
        self.read += 1;
        let met_before: Vec<i64> = self.scores.keys().copied().collect();
        for &(post, date) in carriers {
            if post != self.post_id && !self.scores.contains_key(&post) {
                self.scores.insert(post, (weight, date));
            }
        }
        self.met_before_last = Some(met_before);
    }

    /// The visible posts carrying the tag [`Ranking::next_tag`] named, with
    /// their dates.
    pub fn add_carriers(&mut self, carriers: &[(i64, NaiveDateTime)]) {
        let Some(&(_, weight)) = self.tags.get(self.read) else {
            return;
        };
        self.read += 1;
        for &(post, date) in carriers {
            if post != self.post_id {
                self.scores.entry(post).or_insert((0.0, date)).0 += weight;
            }
        }
    }

    /// Once reading has stopped: the posts met that might still make the
    /// top, and the tags not read, whose links to those posts complete
    /// their scores. Empty when nothing is left to complete.
    pub fn to_complete(&self) -> (Vec<i64>, Vec<i64>) {
        if let (Some(met), Some(&(last, _))) = (&self.met_before_last, self.tags.last()) {
            let mut posts = met.clone();
            posts.sort_unstable();
            return (posts, vec![last]);
        }
        let unread: Vec<i64> = self.tags[self.read..].iter().map(|&(id, _)| id).collect();
        if unread.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let rest = self.unread_weight();
        let floor = self.last_of_the_top().unwrap_or(0.0);
        let mut posts: Vec<i64> = self
            .scores
            .iter()
            .filter(|(_, (score, _))| score + rest >= floor * (1.0 - ROUNDING))
            .map(|(&post, _)| post)
            .collect();
        posts.sort_unstable();
        (posts, unread)
    }

    /// Links `(post, tag)` of the posts [`Ranking::to_complete`] named to
    /// its tags.
    pub fn add_links(&mut self, links: &[(i64, i64)]) {
        let pending = match (&self.met_before_last, self.tags.last()) {
            (Some(_), Some(&last)) => vec![last],
            _ => self.tags[self.read..].to_vec(),
        };
        let weights: HashMap<i64, f64> = pending.into_iter().collect();
        // Added in the tags' order, so that posts sharing the same tags
        // have the very same score.
        let mut links = links.to_vec();
        let position: HashMap<i64, usize> = self
            .tags
            .iter()
            .enumerate()
            .map(|(index, &(id, _))| (id, index))
            .collect();
        links.sort_unstable_by_key(|&(post, tag)| (post, position.get(&tag).copied()));
        for (post, tag) in links {
            if let (Some(weight), Some(entry)) = (weights.get(&tag), self.scores.get_mut(&post)) {
                entry.0 += weight;
            }
        }
        self.read = self.tags.len();
        self.met_before_last = None;
    }

    /// The related posts, best first: most shared weight, then newest,
    /// then the higher id.
    pub fn top(self) -> Vec<i64> {
        let mut ranked: Vec<(i64, (f64, NaiveDateTime))> = self.scores.into_iter().collect();
        ranked.sort_unstable_by(|(a_id, (a_score, a_date)), (b_id, (b_score, b_date))| {
            b_score
                .partial_cmp(a_score)
                .unwrap_or(Ordering::Equal)
                .then_with(|| b_date.cmp(a_date))
                .then_with(|| b_id.cmp(a_id))
        });
        ranked.truncate(self.limit);
        ranked.into_iter().map(|(id, _)| id).collect()
    }

    /// The weight of the tags not read yet, together: the most a post not
    /// met could still score.
    fn unread_weight(&self) -> f64 {
        self.tags[self.read..]
            .iter()
            .map(|&(_, weight)| weight)
            .sum()
    }

    /// The `limit`-th best score so far, once that many posts were met.
    fn last_of_the_top(&self) -> Option<f64> {
        let index = self.limit.checked_sub(1)?;
        let mut scores: Vec<f64> = self.scores.values().map(|&(score, _)| score).collect();
        if scores.len() <= index {
            return None;
        }
        let (_, last, _) = scores
            .select_nth_unstable_by(index, |a, b| b.partial_cmp(a).unwrap_or(Ordering::Equal));
        Some(*last)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{NaiveDate, TimeDelta};
    use proptest::prelude::*;

    use super::*;

    fn day(n: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + TimeDelta::days(n)
    }

    /// A blog: each post's tags (post ids are positions, dates their ids).
    type Blog = Vec<BTreeSet<i64>>;

    fn carriers(blog: &Blog, tag: i64) -> Vec<(i64, NaiveDateTime)> {
        (0..blog.len() as i64)
            .filter(|&post| blog[post as usize].contains(&tag))
            .map(|post| (post, day(post % 7)))
            .collect()
    }

    /// The `wanted` newest carriers, as the tag's index in public order
    /// gives them.
    fn newest(blog: &Blog, tag: i64, wanted: usize) -> Vec<(i64, NaiveDateTime)> {
        let mut all = carriers(blog, tag);
        all.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        all.truncate(wanted);
        all
    }

    fn tags_with_counts(blog: &Blog, post: i64) -> Vec<(i64, i64)> {
        blog[post as usize]
            .iter()
            .map(|&tag| (tag, carriers(blog, tag).len() as i64))
            .collect()
    }

    /// The ranking as the service runs it: read until settled, complete.
    fn ranked(blog: &Blog, post: i64, limit: usize) -> (Vec<i64>, usize) {
        let mut ranking = Ranking::new(post, &tags_with_counts(blog, post), limit);
        let mut reads = 0;
        while let Some(tag) = ranking.next_tag() {
            match ranking.newest_needed() {
                Some(wanted) => ranking.add_newest_carriers(&newest(blog, tag, wanted)),
                None => ranking.add_carriers(&carriers(blog, tag)),
            }
            reads += 1;
        }
        let (posts, unread) = ranking.to_complete();
        let links: Vec<(i64, i64)> = posts
            .iter()
            .flat_map(|&p| {
                unread
                    .iter()
                    .filter(move |&&tag| blog[p as usize].contains(&tag))
                    .map(move |&tag| (p, tag))
            })
            .collect();
        ranking.add_links(&links);
        (ranking.top(), reads)
    }

    /// Every other post scored over every shared tag, sorted.
    fn brute_force(blog: &Blog, post: i64, limit: usize) -> Vec<(f64, NaiveDateTime, i64)> {
        let counts: HashMap<i64, i64> = tags_with_counts(blog, post).into_iter().collect();
        let mut all: Vec<(f64, NaiveDateTime, i64)> = (0..blog.len() as i64)
            .filter(|&other| other != post)
            .filter_map(|other| {
                let mut shared: Vec<i64> = blog[other as usize]
                    .intersection(&blog[post as usize])
                    .map(|tag| counts[tag])
                    .collect();
                shared.sort_unstable();
                let score: f64 = shared.into_iter().map(weight).sum();
                (score > 0.0).then_some((score, day(other % 7), other))
            })
            .collect();
        all.sort_by(|a, b| {
            b.0.partial_cmp(&a.0)
                .unwrap()
                .then(b.1.cmp(&a.1))
                .then(b.2.cmp(&a.2))
        });
        all.truncate(limit);
        all
    }

    #[test]
    fn rare_shared_tags_weigh_more() {
        assert!(weight(2) > weight(100));
        assert!((weight(1) - 1.0 / 2f64.ln()).abs() < 1e-12);
        // Post 0 has a rare tag (1) and a common one (2).
        let mut blog: Blog = vec![BTreeSet::from([1, 2])];
        blog.push(BTreeSet::from([1]));
        for _ in 0..20 {
            blog.push(BTreeSet::from([2]));
        }
        blog.push(BTreeSet::from([3]));
        let (top, reads) = ranked(&blog, 0, 1);
        assert_eq!(top, [1]);
        // The rare tag settled it: the common one was never read in full.
        assert_eq!(reads, 1);
        let (top, _) = ranked(&blog, 0, 3);
        // Then the common tag's posts, newest first (dates: id % 7).
        assert_eq!(top, [1, 20, 13]);
    }

    #[test]
    fn a_post_without_shared_tags_has_no_related_posts() {
        let blog: Blog = vec![BTreeSet::new(), BTreeSet::from([1])];
        assert!(ranked(&blog, 0, 5).0.is_empty());
        let blog: Blog = vec![BTreeSet::from([1]), BTreeSet::from([2])];
        assert!(ranked(&blog, 0, 5).0.is_empty());
    }

    proptest! {
        /// Stopping early answers what scoring every post would.
        #[test]
        fn stopping_early_ranks_as_scoring_everything(
            blog in proptest::collection::vec(
                proptest::collection::btree_set(0i64..12, 0..5), 1..60
            ),
            post in 0usize..60,
            limit in 1usize..8,
        ) {
            let post = (post % blog.len()) as i64;
            let expected: Vec<i64> = brute_force(&blog, post, limit)
                .into_iter()
                .map(|(_, _, id)| id)
                .collect();
            prop_assert_eq!(ranked(&blog, post, limit).0, expected);
        }
    }
}
