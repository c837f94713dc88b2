//! The change counters: how many transactions have committed that could
//! change what a read shows, whichever instance (or SQL session) made them.
//!
//! Triggers add one, in the writing transaction, to `count_changes` when it
//! can change a tag's counts (a post created, deleted, published,
//! unpublished, redated, trashed or restored; a link added or removed; a
//! tag created, changed or deleted), and to `post_edits` when it changes a
//! post row at all, and to `people_changes` when it changes or deletes a
//! user or a credential. A read that remembers what it read beside the counters
//! it read may answer from memory while they are unchanged. On PostgreSQL
//! the counters are spread over 64 rows, by backend process, so that
//! writers seldom wait for each other's row lock, and the triggers are
//! deferred to commit, so that the lock is taken last and cannot deadlock.

use diesel::prelude::*;

use super::conn::DbConn;
use crate::on_backend;
use crate::schema::change_counters;

/// The counters' sums at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CommittedChanges {
    /// Transactions that could change a tag count.
    pub count_changes: i64,
    /// Transactions that changed a post row.
    pub post_edits: i64,
    /// Transactions that changed or deleted a user or a credential: what a
    /// remembered caller's right to act depends on.
    pub people_changes: i64,
}

impl CommittedChanges {
    /// Only what content depends on: a credential ended or a user's role
    /// changed leaves every post and page as it was.
    pub fn of_content(self) -> CommittedChanges {
        CommittedChanges {
            people_changes: 0,
            ..self
        }
    }

    /// Whether these were read after `earlier`, with changes between.
    pub fn newer_than(self, earlier: CommittedChanges) -> bool {
        self != earlier
            && self.count_changes >= earlier.count_changes
            && self.post_edits >= earlier.post_edits
            && self.people_changes >= earlier.people_changes
    }
}

/// `count_changes` summed, as an expression: a statement that selects it
/// beside a count tells which moment the count belongs to.
pub const COUNT_CHANGES_SQL: &str =
    "(SELECT CAST(COALESCE(SUM(count_changes), 0) AS BIGINT) FROM change_counters)";

/// The sums, added up here rather than by `SUM` (numeric on PostgreSQL) so
/// that the statement is a typed one, prepared once per connection: every
/// read that may be answered from memory runs it.
pub fn read(conn: &mut DbConn) -> QueryResult<CommittedChanges> {
    let shards: Vec<(i64, i64, i64)> = on_backend!(conn, c => change_counters::table
        .select((
            change_counters::count_changes,
            change_counters::post_edits,
            change_counters::people_changes,
        ))
        .load(c))?;
    Ok(shards.into_iter().fold(
        CommittedChanges::default(),
        |sum, (count_changes, post_edits, people_changes)| CommittedChanges {
            count_changes: sum.count_changes + count_changes,
            post_edits: sum.post_edits + post_edits,
            people_changes: sum.people_changes + people_changes,
        },
    ))
}
