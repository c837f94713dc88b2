//! The database, on either backend: connections, the pool, transactions,
//! migrations, and every statement the service runs.
//!
//! A [`DbConn`] is a PostgreSQL or a SQLite connection. Statements are
//! written once with Diesel and compiled for each backend by
//! [`on_backend!`](crate::on_backend); where the backends differ (a row
//! lock, an upsert, a statement one of them can fold into another), the
//! difference stays in here, behind one function for both.

pub mod aliases;
pub mod author_counts;
pub mod bulk;
pub mod change_counters;
mod conn;
pub mod count_deltas;
pub mod credentials;
mod error;
pub mod links;
mod migrations;
pub mod old_slugs;
mod pool;
pub mod post_lists;
pub mod posts;
pub mod prepared;
pub mod slugs;
pub mod sql;
mod sqlite_writers;
pub mod tag_counts;
pub mod tags;
mod transaction;
mod url;
pub mod users;
pub mod visibility;
pub mod webhooks;

pub use conn::DbConn;
pub use error::{DbError, WrapsDbError, violates_foreign_key, violates_unique};
pub use migrations::{MigrationError, StartupError, connect_and_migrate, migrate};
pub use pool::{
    Database, DbConnectionManager, Pool, PoolConn, PoolSettings, PoolState, PooledConn, checkout,
    with_connection,
};
pub use sqlite_writers::SqliteWriters;
pub use url::{Backend, DatabaseUrl};
