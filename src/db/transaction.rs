//! Transactions: writes (run again after a deadlock) and read snapshots.

use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::conn::DbConn;
use super::error::WrapsDbError;
use crate::on_backend;

/// How many times a transaction runs before a deadlock is reported.
const DEADLOCK_ATTEMPTS: u32 = 5;

impl DbConn {
    /// Runs `work` in a transaction that commits when it returns `Ok` and
    /// rolls back otherwise. On SQLite the transaction waits for its turn
    /// among the process's writers
    /// ([`SqliteWriters`](super::sqlite_writers::SqliteWriters)), then takes
    /// the write lock up front (`BEGIN IMMEDIATE`), so that a transaction
    /// which reads before it writes cannot fail half-way for want of the lock.
    ///
    /// A transaction that PostgreSQL aborts to break a deadlock is run again
    /// (a few times): locks taken in different orders by unrelated requests,
    /// such as a post update (post, then its tags) and a tag rename (tag, then
    /// its posts), are a normal hazard, and the loser's work is still valid.
    pub fn transaction<T, E>(
        &mut self,
        mut work: impl FnMut(&mut Self) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: WrapsDbError,
    {
        let mut attempt = 1;
        loop {
            match self.transaction_once(&mut work) {
                Err(error)
                    if error.db_error().is_some_and(|e| e.is_deadlock())
                        && attempt < DEADLOCK_ATTEMPTS =>
                {
                    log::info!("transaction chosen as a deadlock victim; running it again");
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    fn transaction_once<T, E>(
        &mut self,
        work: &mut impl FnMut(&mut Self) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        let writers = match self {
            DbConn::Sqlite(_, writers) => Some(writers.clone()),
            DbConn::Postgres(_) => None,
        };
        let _turn = writers.as_ref().map(|writers| writers.turn());
        self.within("BEGIN", "BEGIN IMMEDIATE", work)
    }

    /// Runs `work` in a read-only transaction that sees one snapshot of the
    /// database throughout (PostgreSQL `REPEATABLE READ`; on SQLite every
    /// read transaction does), so that what it reads fits together.
    pub fn read_snapshot<T>(
        &mut self,
        mut work: impl FnMut(&mut Self) -> diesel::QueryResult<T>,
    ) -> diesel::QueryResult<T> {
        self.within(
            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            "BEGIN",
            &mut work,
        )
    }

    /// Runs `work` between `BEGIN` (as given for each backend) and `COMMIT`,
    /// or `ROLLBACK` when it fails.
    fn within<T, E>(
        &mut self,
        postgres_begin: &str,
        sqlite_begin: &str,
        work: &mut impl FnMut(&mut Self) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        match self {
            DbConn::Postgres(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, postgres_begin)?
            }
            DbConn::Sqlite(c, _) => AnsiTransactionManager::begin_transaction_sql(c, sqlite_begin)?,
        }
        match work(self) {
            Ok(value) => {
                on_backend!(self, c => AnsiTransactionManager::commit_transaction(c))?;
                Ok(value)
            }
            Err(error) => {
                match on_backend!(self, c => AnsiTransactionManager::rollback_transaction(c)) {
                    Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
                    Err(rollback_error) => Err(rollback_error.into()),
                }
            }
        }
    }
}
