//! Database access for both backends.
//!
//! A [`DbConn`] is either a PostgreSQL or a SQLite connection. Service code is
//! written once and compiled for each backend by [`on_backend!`], which runs
//! the same body with the concrete connection type in scope: every Diesel
//! feature either backend supports is then available, with ordinary error
//! messages, and no function has to be generic over `Connection`.

pub mod prepared;
pub mod schema;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, SimpleConnection, TransactionManager,
};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::result::DatabaseErrorKind;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Runs `$body` with `$c` bound to the concrete connection inside a
/// [`DbConn`]. The body is compiled once per backend.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c, _) => $body,
        }
    };
}

/// A condition that always holds and keeps its statement out of Diesel's
/// prepared-statement cache (as SQL literals do), so that PostgreSQL plans
/// the statement for the values it is given, every time. For `= ANY`
/// lookups in a table that can grow fast: a cached statement soon gets a
/// generic plan, made from the table's size at the time (a sequential scan
/// while it is small) and kept until the table is next analysed.
pub fn planned_for_its_values() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql("TRUE")
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// `DATABASE_URL`, with the backend read from its scheme: `postgres://` and
/// `postgresql://` are PostgreSQL; anything else is a SQLite file path
/// (optionally written `sqlite://PATH`).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    url: String,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                url: raw.to_owned(),
            });
        }
        let path = raw.strip_prefix("sqlite://").unwrap_or(raw);
        if path.is_empty() {
            return Err(
                "DATABASE_URL is empty: give a SQLite file path or a postgres:// URL".into(),
            );
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(format!(
                "DATABASE_URL has the unsupported scheme `{scheme}://`: give a SQLite file path or a postgres:// URL"
            ));
        }
        Ok(Self {
            backend: Backend::Sqlite,
            url: path.to_owned(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }
}

/// Hides a PostgreSQL password when the URL is logged.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.backend, self.url.split_once("://")) {
            (Backend::Postgres, Some((scheme, rest))) => match rest.split_once('@') {
                Some((credentials, host)) => match credentials.split_once(':') {
                    Some((user, _password)) => write!(f, "{scheme}://{user}:***@{host}"),
                    None => write!(f, "{scheme}://{credentials}@{host}"),
                },
                None => write!(f, "{}", self.url),
            },
            _ => write!(f, "sqlite://{}", self.url),
        }
    }
}

pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection, SqliteWriters),
}

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
    fn of(path: &str) -> Self {
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
    fn turn(&self) -> MutexGuard<'_, ()> {
        // A writer that panicked held no lock of SQLite's after unwinding.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn shares_queue_with(&self, other: &SqliteWriters) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
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

    /// Runs `work` in a transaction that commits when it returns `Ok` and
    /// rolls back otherwise. On SQLite the transaction waits for its turn
    /// among the process's writers ([`SqliteWriters`]), then takes the write
    /// lock up front (`BEGIN IMMEDIATE`), so that a transaction which reads
    /// before it writes cannot fail half-way for want of the lock.
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
        E: From<diesel::result::Error> + Transient,
    {
        let mut attempt = 1;
        loop {
            match self.transaction_once(&mut work) {
                Err(error) if error.is_deadlock() && attempt < DEADLOCK_ATTEMPTS => {
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
        let _turn = writers.as_ref().map(SqliteWriters::turn);
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
                on_backend!(self, |c| AnsiTransactionManager::commit_transaction(c))?;
                Ok(value)
            }
            Err(error) => {
                match on_backend!(self, |c| AnsiTransactionManager::rollback_transaction(c)) {
                    Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
                    Err(rollback_error) => Err(rollback_error.into()),
                }
            }
        }
    }

    /// Sees every statement the connection runs (used to count them).
    pub fn set_instrumentation(&mut self, instrumentation: impl Instrumentation) {
        on_backend!(self, |c| c.set_instrumentation(instrumentation))
    }

    pub fn run_migrations(&mut self) -> Result<(), MigrationError> {
        match self {
            DbConn::Postgres(c) => {
                // Many instances may start at once against one database: the
                // advisory lock lets one migrate while the others wait.
                c.batch_execute("SELECT pg_advisory_lock(7243917305)")?;
                let result = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(drop);
                c.batch_execute("SELECT pg_advisory_unlock(7243917305)")?;
                result.map_err(MigrationError::Migration)
            }
            DbConn::Sqlite(c, _) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(drop)
                .map_err(MigrationError::Migration),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("{0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0}")]
    Migration(Box<dyn std::error::Error + Send + Sync>),
}

diesel::define_sql_function! {
    /// `lower()` that folds all of Unicode. PostgreSQL's own `lower` already
    /// does in a UTF-8 database; on SQLite this replaces the ASCII-only one.
    #[sql_name = "lower"]
    fn unicode_lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// How long a connection that last worked is trusted without a ping when it
/// is taken from the pool. Under load connections come back within
/// milliseconds, and a ping on every checkout would be a second round trip
/// on every request; one idle longer may have been closed by a restart.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

/// Whether an error says the connection itself is gone (the server closed
/// it, or it could not be written to), rather than that a statement failed.
pub fn is_connection_lost(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        )
    )
}

/// A connection held by the pool, with what the pool knows of its health.
pub struct PoolConn {
    conn: DbConn,
    /// When it last answered.
    proven_at: Instant,
    /// The pool's count of lost connections when it last answered.
    losses_seen: u64,
    lost: bool,
}

impl PoolConn {
    /// Records how work on the connection ended: a lost connection is
    /// dropped when it goes back to the pool (and makes every connection
    /// that has not answered since suspect); any other outcome means the
    /// server answered.
    pub fn settle(&mut self, lost: bool) {
        if lost {
            self.lost = true;
        } else {
            self.proven_at = Instant::now();
        }
    }
}

impl std::ops::Deref for PoolConn {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for PoolConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

impl std::borrow::Borrow<DbConn> for r2d2::PooledConnection<DbConnectionManager> {
    fn borrow(&self) -> &DbConn {
        self
    }
}

impl std::borrow::BorrowMut<DbConn> for r2d2::PooledConnection<DbConnectionManager> {
    fn borrow_mut(&mut self) -> &mut DbConn {
        self
    }
}

/// Hands out [`DbConn`]s to the pool, choosing the backend from the URL.
///
/// A connection is pinged when it is taken only if it has not answered
/// within [`TRUSTED_FOR`] or a connection was lost since it last did: after
/// a database restart the first request that meets a dead connection fails
/// (503), and every other connection is then pinged before it is used.
#[derive(Debug, Clone)]
pub struct DbConnectionManager {
    url: DatabaseUrl,
    losses: Arc<AtomicU64>,
}

impl DbConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self {
            url,
            losses: Arc::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PoolConnectionError {
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

impl ManageConnection for DbConnectionManager {
    type Connection = PoolConn;
    type Error = PoolConnectionError;

    fn connect(&self) -> Result<PoolConn, PoolConnectionError> {
        let losses_seen = self.losses.load(Ordering::Acquire);
        Ok(PoolConn {
            conn: DbConn::establish(&self.url)?,
            proven_at: Instant::now(),
            losses_seen,
            lost: false,
        })
    }

    fn is_valid(&self, conn: &mut PoolConn) -> Result<(), PoolConnectionError> {
        let losses = self.losses.load(Ordering::Acquire);
        if conn.losses_seen == losses && conn.proven_at.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        on_backend!(&mut conn.conn, |c| c.ping())?;
        conn.proven_at = Instant::now();
        conn.losses_seen = losses;
        Ok(())
    }

    fn has_broken(&self, conn: &mut PoolConn) -> bool {
        if conn.lost {
            self.losses.fetch_add(1, Ordering::AcqRel);
            return true;
        }
        on_backend!(&mut conn.conn, |c| c.is_broken())
    }
}

pub type Pool = r2d2::Pool<DbConnectionManager>;

/// How many times a transaction runs before a deadlock is reported.
const DEADLOCK_ATTEMPTS: u32 = 5;

/// Errors that may say the database aborted the transaction to break a
/// deadlock, so that running it again can succeed.
pub trait Transient {
    fn is_deadlock(&self) -> bool;
}

impl Transient for diesel::result::Error {
    fn is_deadlock(&self) -> bool {
        // Diesel does not expose the SQLSTATE (40P01); PostgreSQL's message
        // is fixed text under the C and English locales the service runs in.
        matches!(
            self,
            diesel::result::Error::DatabaseError(_, info) if info.message() == "deadlock detected"
        )
    }
}

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: u32,
    /// How long a request waits for a connection before it is refused.
    pub checkout_timeout: Duration,
}

/// Connects once (so that a bad URL or an unreachable database is reported
/// with its real cause), applies pending migrations, then builds the pool.
pub fn connect_and_migrate(
    url: &DatabaseUrl,
    settings: &PoolSettings,
) -> Result<Pool, StartupError> {
    let mut first = DbConn::establish(url).map_err(|source| StartupError::Connect {
        url: url.to_string(),
        source,
    })?;
    first.run_migrations().map_err(StartupError::Migrate)?;
    drop(first);
    r2d2::Pool::builder()
        .max_size(settings.max_size)
        .min_idle(Some(settings.max_size.min(2)))
        .connection_timeout(settings.checkout_timeout)
        .build(DbConnectionManager::new(url.clone()))
        .map_err(|source| StartupError::Pool(source.to_string()))
}

/// Applies pending migrations and returns.
pub fn migrate(url: &DatabaseUrl) -> Result<(), StartupError> {
    let mut conn = DbConn::establish(url).map_err(|source| StartupError::Connect {
        url: url.to_string(),
        source,
    })?;
    conn.run_migrations().map_err(StartupError::Migrate)
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    // libpq ends its messages with a newline.
    #[error("cannot connect to {url}: {}", source.to_string().trim_end())]
    Connect {
        url: String,
        source: ConnectionError,
    },
    #[error("cannot apply migrations: {0}")]
    Migrate(MigrationError),
    #[error("cannot open the connection pool: {0}")]
    Pool(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_comes_from_the_url_scheme() {
        let pg = DatabaseUrl::parse("postgres://u:secret@localhost/blog").unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        assert_eq!(pg.to_string(), "postgres://u:***@localhost/blog");
        let no_password = DatabaseUrl::parse("postgres://u@localhost/blog").unwrap();
        assert_eq!(no_password.to_string(), "postgres://u@localhost/blog");
        let pg2 = DatabaseUrl::parse("postgresql://localhost/blog").unwrap();
        assert_eq!(pg2.backend(), Backend::Postgres);

        let file = DatabaseUrl::parse("./blog.db").unwrap();
        assert_eq!(file.backend(), Backend::Sqlite);
        assert_eq!(file.as_str(), "./blog.db");
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap().as_str(),
            "/tmp/x.db"
        );

        assert!(DatabaseUrl::parse("mysql://localhost/blog").is_err());
        assert!(DatabaseUrl::parse("  ").is_err());
    }

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
