//! A list's order held in memory as its posts' keys (a date, then an id),
//! newest first, so that the post at any position is found without
//! counting past the posts before it: a deep page seeks to its first post.
//!
//! Keys are kept in blocks of at most [`MAX_BLOCK`], each shared until it
//! changes, so that copying the whole (as every update of the counts does)
//! costs a pointer a block, and a change copies one block.

use std::cmp::Reverse;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime};

pub use crate::db::post_lists::ListKey;

/// A key as held: microseconds and id, newest first.
type Held = Reverse<(i64, i64)>;

const MAX_BLOCK: usize = 2048;

#[derive(Debug, Clone, Default)]
pub struct OrderedKeys {
    /// Each block sorted, and every key of a block before every key of the
    /// next.
    blocks: Vec<Arc<Vec<Held>>>,
    len: usize,
}

fn held((at, id): ListKey) -> Held {
    Reverse((at.and_utc().timestamp_micros(), id))
}

fn key(Reverse((micros, id)): Held) -> ListKey {
    let at = DateTime::from_timestamp_micros(micros)
        .expect("a key held was a valid time")
        .naive_utc();
    (at, id)
}

impl OrderedKeys {
    /// The keys of a list, in any order.
    pub fn new(keys: Vec<ListKey>) -> Self {
        let mut keys: Vec<Held> = keys.into_iter().map(held).collect();
        keys.sort_unstable();
        keys.dedup();
        let len = keys.len();
        let blocks = keys
            .chunks(MAX_BLOCK / 2)
            .map(|chunk| Arc::new(chunk.to_vec()))
            .collect();
        OrderedKeys { blocks, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The block a key belongs in: the first whose last key is not before
    /// it (or the last block).
    fn block_of(&self, key: &Held) -> usize {
        let first_not_before = self
            .blocks
            .partition_point(|block| block.last().is_some_and(|last| last < key));
        first_not_before.min(self.blocks.len().saturating_sub(1))
    }

    pub fn insert(&mut self, key: ListKey) {
        let key = held(key);
        if self.blocks.is_empty() {
            self.blocks.push(Arc::new(Vec::new()));
        }
        let index = self.block_of(&key);
        let block = Arc::make_mut(&mut self.blocks[index]);
        if let Err(at) = block.binary_search(&key) {
            block.insert(at, key);
            self.len += 1;
            if block.len() > MAX_BLOCK {
                let second = block.split_off(block.len() / 2);
                self.blocks.insert(index + 1, Arc::new(second));
            }
        }
    }

    pub fn remove(&mut self, key: ListKey) {
        let key = held(key);
        if self.blocks.is_empty() {
            return;
        }
        let index = self.block_of(&key);
        let block = Arc::make_mut(&mut self.blocks[index]);
        if let Ok(at) = block.binary_search(&key) {
            block.remove(at);
            self.len -= 1;
            if block.is_empty() {
                self.blocks.remove(index);
            }
        }
    }

    /// The key at `position` (0 is the newest), if the list is that long.
    pub fn nth(&self, mut position: usize) -> Option<ListKey> {
        for block in &self.blocks {
            match block.get(position) {
                Some(found) => return Some(key(*found)),
                None => position -= block.len(),
            }
        }
        None
    }

    /// How many keys are dated after `at`.
    pub fn dated_after(&self, at: NaiveDateTime) -> usize {
        // Every key dated after `at` comes before this one.
        let bound = held((at, i64::MAX));
        let mut before = 0;
        for block in &self.blocks {
            let in_block = block.partition_point(|key| *key < bound);
            before += in_block;
            if in_block < block.len() {
                break;
            }
        }
        before
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeDelta};
    use proptest::prelude::*;

    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + TimeDelta::seconds(seconds)
    }

    proptest! {
        /// Whatever is inserted and removed, the keys are those of a sorted
        /// list of the same keys, position by position.
        #[test]
        fn positions_are_those_of_the_sorted_keys(
            start in proptest::collection::vec((0..50i64, 0..5000i64), 0..3000),
            changes in proptest::collection::vec((any::<bool>(), 0..50i64, 0..5000i64), 0..3000),
            now in 0..50i64,
        ) {
            let mut model: Vec<ListKey> = start.iter().map(|&(s, id)| (at(s), id)).collect();
            let mut keys = OrderedKeys::new(model.clone());
            for (insert, s, id) in changes {
                let changed = (at(s), id);
                if insert {
                    keys.insert(changed);
                    model.push(changed);
                } else {
                    keys.remove(changed);
                    model.retain(|k| *k != changed);
                }
            }
            model.sort_unstable_by(|a, b| b.cmp(a));
            model.dedup();
            prop_assert_eq!(keys.len(), model.len());
            for (position, expected) in model.iter().enumerate().step_by(7) {
                prop_assert_eq!(keys.nth(position), Some(*expected));
            }
            prop_assert_eq!(keys.nth(model.len()), None);
            let after = model.iter().filter(|(date, _)| *date > at(now)).count();
            prop_assert_eq!(keys.dated_after(at(now)), after);
        }
    }
}
