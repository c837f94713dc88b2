//! A connection to either backend, and the macro that runs Diesel code on it.

use diesel::connection::{Instrumentation, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};

use super::sql::unicode_lower_utils;
use super::sqlite_writers::SqliteWriters;
use super::url::{Backend, DatabaseUrl};

/// A connection to PostgreSQL or to SQLite. Statements are written once and
/// compiled for each backend with [`on_backend!`](crate::on_backend).
pub enum DbConn {
    Postgres(PgConnection),
    /// With the queue its writers take turns in.
    Sqlite(SqliteConnection, SqliteWriters),
}

/// Runs Diesel code on the concrete connection inside a [`DbConn`]:
/// `on_backend!(conn, c => posts::table.count().get_result(c))`.
///
/// It expands to a `match` with one arm per backend, `$c` bound to the
/// backend's connection in each, so the code after `=>` is compiled once for
/// PostgreSQL and once for SQLite: every Diesel feature of either backend is
/// available, with ordinary error messages. Being a match arm and not a
/// closure, `?` and `return` in it leave the function that uses it.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c, _) => $body,
        }
    };
}

impl DbConn {
    /// Opens a connection and prepares it for use; errors carry the real cause.
    pub fn establish(url: &DatabaseUrl) -> Result<Self, ConnectionError> {
        match url.backend() {
            Backend::Postgres => PgConnection::establish(url.as_str()).map(DbConn::Postgres),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(url.as_str())?;
                // Foreign keys are off by default in SQLite, and without them
                // `ON DELETE CASCADE` silently does nothing. WAL lets readers
                // run beside the one writer; the busy timeout makes a writer
                // wait for the lock instead of failing at once.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON;
                     PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                unicode_lower_utils::register_impl(&mut conn, |text: String| text.to_lowercase())
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn, SqliteWriters::of(url.as_str())))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Postgres(_) => Backend::Postgres,
            DbConn::Sqlite(..) => Backend::Sqlite,
        }
    }

    /// Sees every statement the connection runs (used to count them).
    pub fn set_instrumentation(&mut self, instrumentation: impl Instrumentation) {
        on_backend!(self, c => c.set_instrumentation(instrumentation))
    }

    /// One round trip that proves the database answers.
    pub fn ping(&mut self) -> diesel::QueryResult<()> {
        on_backend!(self, c => c.batch_execute("SELECT 1"))
    }
}
