//! The queue of one process's writers to a SQLite database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

/// The queue of this process's writers to one SQLite database.
///
/// SQLite lets one transaction write at a time. A writer that finds the
/// lock taken sleeps in SQLite's busy handler — 1 ms, then longer, up to
/// 100 ms a time — and the lock may sit free meanwhile: under concurrent
/// writes, the slowest waited about a second. Write transactions of one
/// process queue here instead and take the lock in turn as it is released.
/// The busy timeout still covers writers in other processes.
#[derive(Clone, Default)]
pub struct SqliteWriters(Arc<Mutex<()>>);

impl SqliteWriters {
    /// The queue shared by every connection of this process to `path`.
    pub fn of(path: &str) -> Self {
        static QUEUES: OnceLock<Mutex<HashMap<String, SqliteWriters>>> = OnceLock::new();
        let key = std::fs::canonicalize(path)
            .map(|path| path.to_string_lossy().into_owned())
            .unwrap_or_else(|_| path.to_owned());
        let mut queues = QUEUES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        queues.entry(key).or_default().clone()
    }

    /// Waits for this writer's turn; the turn ends when the guard drops.
    pub fn turn(&self) -> MutexGuard<'_, ()> {
        // A writer that panicked held no lock of SQLite's after unwinding.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn shares_queue_with(&self, other: &SqliteWriters) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteWriters;
    use crate::db::{DatabaseUrl, DbConn};

    fn writers(conn: &DbConn) -> &SqliteWriters {
        match conn {
            DbConn::Sqlite(_, writers) => writers,
            DbConn::Postgres(_) => unreachable!("a SQLite URL"),
        }
    }

    #[test]
    fn connections_to_one_sqlite_file_share_one_writer_queue() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("blog.db");
        let url = DatabaseUrl::parse(path.to_str().unwrap()).unwrap();
        let first = DbConn::establish(&url).unwrap();
        // The same file by another spelling of its path.
        let roundabout = dir.path().join(".").join("blog.db");
        let second =
            DbConn::establish(&DatabaseUrl::parse(roundabout.to_str().unwrap()).unwrap()).unwrap();
        assert!(writers(&first).shares_queue_with(writers(&second)));

        let other_path = dir.path().join("other.db");
        let other =
            DbConn::establish(&DatabaseUrl::parse(other_path.to_str().unwrap()).unwrap()).unwrap();
        assert!(!writers(&first).shares_queue_with(writers(&other)));
    }
}
