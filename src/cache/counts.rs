//! The tag counts of the latest snapshot, kept current: used while they
//! hold, counted afresh (one request at a time) when they do not.

use std::borrow::BorrowMut;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::NaiveDateTime;

use super::tag_counts::TagCounts;
use crate::db::{DbConn, DbError};

#[derive(Default)]
pub(super) struct CountCache {
    current: RwLock<Option<Arc<TagCounts>>>,
    /// One recount at a time: requests that find the counts stale while a
    /// recount runs wait for it rather than run the join beside it.
    recount: Mutex<()>,
}

impl CountCache {
    /// The counts, if they hold for a request that read `count_changes` at
    /// `now`.
    pub fn current(&self, count_changes: i64, now: NaiveDateTime) -> Option<Arc<TagCounts>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|counts| counts.hold_for(count_changes, now))
            .cloned()
    }

    /// Counts that hold for a request that read `count_changes` at `now`,
    /// after [`CountCache::current`] found none. One recount runs at a time;
    /// a request that finds one running waits for it and uses its result.
    /// `connect` is called only when this request is the one to count, so
    /// that a caller can wait without holding a connection.
    pub fn recount<C: BorrowMut<DbConn>>(
        &self,
        count_changes: i64,
        now: NaiveDateTime,
        connect: impl FnOnce() -> Result<C, DbError>,
    ) -> Result<Arc<TagCounts>, DbError> {
        let _one_at_a_time = self.recount.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(counts) = self.current(count_changes, now) {
            return Ok(counts);
        }
        let mut conn = connect()?;
        let counts = Arc::new(TagCounts::take(conn.borrow_mut(), now)?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(counts.clone());
        Ok(counts)
    }
}
