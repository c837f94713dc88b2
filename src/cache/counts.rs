//! The tag counts of the latest snapshot, kept current: used while they
//! hold, brought up to date (one request at a time) when they do not — by
//! applying what was written since, or by moving scheduled posts that came
//! due into view, and counted afresh only when neither can tell.

use std::borrow::BorrowMut;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use chrono::NaiveDateTime;
use std::time::Instant;

use prometheus::{HistogramOpts, HistogramVec, IntCounter};

use super::tag_counts::TagCounts;
use crate::db::{DbConn, DbError};

#[derive(Default)]
pub(super) struct CountCache {
    current: RwLock<Option<Arc<TagCounts>>>,
    /// One refresh at a time: requests that find the counts stale while a
    /// refresh runs wait for it rather than run one beside it.
    refresh: Mutex<()>,
    pub stats: CountStats,
}

/// How the counts were brought up to date.
#[derive(Clone)]
pub struct CountStats {
    /// Counted afresh with the `GROUP BY` join.
    pub recounts: IntCounter,
    /// Brought up to date by applying the changes written since.
    pub applications: IntCounter,
    /// Scheduled posts that came due made visible, with no write since.
    pub advances: IntCounter,
    /// How long bringing the counts up to date took, by how (`recount`,
    /// `application`, `advance`).
    pub durations: HistogramVec,
}

impl Default for CountStats {
    fn default() -> Self {
        let counter = |name: &str, help: &str| {
            IntCounter::new(name, help).expect("a counter's name and help are valid")
        };
        CountStats {
            recounts: counter(
                "blog_tag_count_recounts_total",
                "Tag counts counted afresh with the GROUP BY join.",
            ),
            applications: counter(
                "blog_tag_count_applications_total",
                "Tag counts brought up to date by applying the changes written since.",
            ),
            advances: counter(
                "blog_tag_count_advances_total",
                "Tag counts brought up to date as scheduled posts came due, with no write since.",
            ),
            durations: HistogramVec::new(
                HistogramOpts::new(
                    "blog_tag_count_refresh_seconds",
                    "Time taken to bring the tag counts up to date, by how.",
                )
                .buckets(vec![
                    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0,
                ]),
                &["how"],
            )
            .expect("a valid metric"),
        }
    }
}

impl CountCache {
    /// The counts, if they hold for a request that read `count_changes` at
    /// `now`.
    pub fn current(&self, count_changes: i64, now: NaiveDateTime) -> Option<Arc<TagCounts>> {
        self.latest()
            .filter(|counts| counts.hold_for(count_changes, now))
    }

    fn latest(&self) -> Option<Arc<TagCounts>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current.clone()
    }

    /// Counts that hold for a request that read `count_changes` at `now`,
    /// after [`CountCache::current`] found none. One refresh runs at a
    /// time; a request that finds one running waits for it and uses its
    /// result. `connect` is called only when this request is the one to
    /// read the database, so that a caller can wait without holding a
    /// connection.
    pub fn refresh<C: BorrowMut<DbConn>>(
        &self,
        count_changes: i64,
        now: NaiveDateTime,
        connect: impl FnOnce() -> Result<C, DbError>,
    ) -> Result<Arc<TagCounts>, DbError> {
        let _one_at_a_time = self.refresh.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(counts) = self.current(count_changes, now) {
            return Ok(counts);
        }
        let started = Instant::now();
        let (counts, how) = match self.latest() {
            Some(latest) if latest.holds_after(count_changes) => {
                self.stats.advances.inc();
                (latest.advanced(now), "advance")
            }
            Some(latest) => {
                let mut conn = connect()?;
                match latest.caught_up(conn.borrow_mut(), now)? {
                    Some(counts) => {
                        self.stats.applications.inc();
                        (counts, "application")
                    }
                    None => (self.recount(conn.borrow_mut(), now)?, "recount"),
                }
            }
            None => (self.recount(connect()?.borrow_mut(), now)?, "recount"),
        };
        let took = started.elapsed().as_secs_f64();
        self.stats.durations.with_label_values(&[how]).observe(took);
        let counts = Arc::new(counts);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(counts.clone());
        Ok(counts)
    }

    fn recount(&self, conn: &mut DbConn, now: NaiveDateTime) -> Result<TagCounts, DbError> {
        self.stats.recounts.inc();
        Ok(TagCounts::take(conn, now)?)
    }
}
