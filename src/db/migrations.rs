//! The embedded migrations of each backend, and start-up: connect, migrate,
//! open the pool.

use diesel::ConnectionError;
use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::conn::DbConn;
use super::pool::{Pool, PoolSettings, build_pool};
use super::url::DatabaseUrl;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Any number, the same for every instance: the advisory lock instances
/// starting together take turns migrating under.
const MIGRATION_LOCK: i64 = 7243917305;

impl DbConn {
    pub fn run_migrations(&mut self) -> Result<(), MigrationError> {
        match self {
            DbConn::Postgres(c) => {
                // Many instances may start at once against one database: the
                // advisory lock lets one migrate while the others wait.
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                let result = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(drop);
                c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
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

/// Connects once (so that a bad URL or an unreachable database is reported
/// with its real cause), applies pending migrations, then builds the pool.
pub fn connect_and_migrate(
    url: &DatabaseUrl,
    settings: &PoolSettings,
) -> Result<Pool, StartupError> {
    migrate(url)?;
    build_pool(url, settings).map_err(StartupError::Pool)
}

/// Applies pending migrations and returns.
pub fn migrate(url: &DatabaseUrl) -> Result<(), StartupError> {
    let mut conn = DbConn::establish(url).map_err(|source| StartupError::Connect {
        url: url.to_string(),
        source,
    })?;
    conn.run_migrations().map_err(StartupError::Migrate)
}
