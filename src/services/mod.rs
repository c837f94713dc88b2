//! The service layer: plain functions on a [`DbConn`](crate::db::DbConn).
//! Each public function that writes owns its transaction, so that a change
//! and everything that goes with it commit together or not at all.

pub mod counts;
pub mod posts;
pub mod tags;

use diesel::result::Error as DieselError;

use crate::db::{Backend, DbConn, DbError, WrapsDbError};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the slug `{slug}` is already taken")]
    SlugTaken { slug: String },
    #[error("a tag with this name already exists")]
    TagNameTaken { slug: String },
    /// A tag that posts still carry cannot be deleted without `force`.
    #[error("the tag is on {posts} posts")]
    TagInUse { slug: String, posts: i64 },
    #[error("the resource has changed since it was read")]
    PreconditionFailed,
    /// A rule that can only be checked against stored data (such as the tag
    /// limit counted with the tags a post already has).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] DbError),
    /// A read given [`MemoryOnly`] needs the database; the caller asks
    /// again with a connection. Never an answer.
    #[error("the answer is not in memory")]
    NotInMemory,
}

impl From<DieselError> for ServiceError {
    /// A connection lost mid-request is an outage, answered like a pool
    /// timeout (503, retry), not a fault of the service (500).
    fn from(error: DieselError) -> Self {
        DbError::from(error).into()
    }
}

impl WrapsDbError for ServiceError {
    fn db_error(&self) -> Option<&DbError> {
        match self {
            ServiceError::Database(error) => Some(error),
            _ => None,
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Where a read that may be answered from memory gets a connection when it
/// turns out to need one. A connection is one; [`MemoryOnly`] has none, so
/// that a read answered from memory need not wait for one (nor leave the
/// async worker it runs on).
pub trait Reader {
    fn backend(&self) -> Backend;
    /// The connection, or [`ServiceError::NotInMemory`].
    fn conn(&mut self) -> ServiceResult<&mut DbConn>;
}

impl Reader for DbConn {
    fn backend(&self) -> Backend {
        match self {
            DbConn::Postgres(_) => Backend::Postgres,
            DbConn::Sqlite(..) => Backend::Sqlite,
        }
    }

    fn conn(&mut self) -> ServiceResult<&mut DbConn> {
        Ok(self)
    }
}

/// A [`Reader`] with no connection: what is not in memory is
/// [`ServiceError::NotInMemory`].
pub struct MemoryOnly(pub Backend);

impl Reader for MemoryOnly {
    fn backend(&self) -> Backend {
        self.0
    }

    fn conn(&mut self) -> ServiceResult<&mut DbConn> {
        Err(ServiceError::NotInMemory)
    }
}
