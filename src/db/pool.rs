//! The connection pool, and running database work from async code.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::ConnectionError;
use diesel::r2d2::{self, ManageConnection, PooledConnection, R2D2Connection};

use super::conn::DbConn;
use super::error::{DbError, WrapsDbError};
use super::url::DatabaseUrl;
use crate::on_backend;

/// How long a connection that last worked is trusted without a ping when it
/// is taken from the pool. Under load connections come back within
/// milliseconds, and a ping on every checkout would be a second round trip
/// on every request; one idle longer may have been closed by a restart.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

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
    fn settle(&mut self, lost: bool) {
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

impl std::borrow::Borrow<DbConn> for PooledConn {
    fn borrow(&self) -> &DbConn {
        self
    }
}

impl std::borrow::BorrowMut<DbConn> for PooledConn {
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
        on_backend!(&mut conn.conn, c => c.ping())?;
        conn.proven_at = Instant::now();
        conn.losses_seen = losses;
        Ok(())
    }

    fn has_broken(&self, conn: &mut PoolConn) -> bool {
        if conn.lost {
            self.losses.fetch_add(1, Ordering::AcqRel);
            return true;
        }
        on_backend!(&mut conn.conn, c => c.is_broken())
    }
}

/// The connections, and how many checkouts wait for one (r2d2 does not
/// say).
#[derive(Clone)]
pub struct Pool {
    connections: r2d2::Pool<DbConnectionManager>,
    waiting: Arc<AtomicU64>,
}

/// How a pool's connections are used at one moment.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub open: u32,
    pub in_use: u32,
    /// Requests waiting for a connection.
    pub waiting: u64,
}

/// A connection taken from the pool.
pub type PooledConn = PooledConnection<DbConnectionManager>;

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: u32,
    /// How long a request waits for a connection before it is refused.
    pub checkout_timeout: Duration,
}

pub(super) fn build_pool(url: &DatabaseUrl, settings: &PoolSettings) -> Result<Pool, String> {
    let connections = r2d2::Pool::builder()
        .max_size(settings.max_size)
        .min_idle(Some(settings.max_size.min(2)))
        .connection_timeout(settings.checkout_timeout)
        .build(DbConnectionManager::new(url.clone()))
        .map_err(|error| error.to_string())?;
    Ok(Pool {
        connections,
        waiting: Arc::default(),
    })
}

/// A connection from the pool, or [`DbError::Unavailable`] after the
/// checkout timeout.
pub fn checkout(pool: &Pool) -> Result<PooledConn, DbError> {
    pool.waiting.fetch_add(1, Ordering::AcqRel);
    let checked_out = pool.connections.get();
    pool.waiting.fetch_sub(1, Ordering::AcqRel);
    checked_out.map_err(|error| DbError::Unavailable(error.to_string()))
}

/// `work` on a pooled connection; the pool is told whether the connection
/// survived it.
pub fn with_connection<T, E: WrapsDbError>(
    pool: &Pool,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    let mut conn = checkout(pool)?;
    let outcome = work(&mut conn);
    let lost = match &outcome {
        Err(error) => error.db_error().is_some_and(DbError::is_connection_lost),
        Ok(_) => false,
    };
    conn.settle(lost);
    outcome
}

/// The pool, for async code. Diesel blocks, so every call that touches the
/// database (taking a connection included) runs on the blocking thread
/// pool, never on an async worker.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
}

impl Database {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Runs `work` on a pooled connection, off the async workers.
    pub async fn run<T, E>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: WrapsDbError + Send + 'static,
    {
        self.with_pool(move |pool| with_connection(pool, work))
            .await
    }

    /// How the pool's connections are used now.
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.connections.state();
        PoolState {
            open: state.connections,
            in_use: state.connections - state.idle_connections,
            waiting: self.pool.waiting.load(Ordering::Acquire),
        }
    }

    /// Runs `work` off the async workers, given the pool to take a
    /// connection from when (and only if) it needs one.
    pub async fn with_pool<T, E>(
        &self,
        work: impl FnOnce(&Pool) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || work(&pool))
            .await
            .map_err(|error| DbError::Aborted(error.to_string()))?
    }
}
