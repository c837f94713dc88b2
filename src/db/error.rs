//! Database failures, as the layers above need to tell them apart.

use std::sync::Arc;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had in time: an outage, answered with a retry.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The connection broke under the request (the pool drops it): an
    /// outage too, not a fault of the service.
    #[error("the connection was lost: {0}")]
    ConnectionLost(String),
    /// A statement failed.
    #[error("database error: {0}")]
    Query(DieselError),
    /// The work on the blocking thread pool did not finish (it panicked).
    #[error("database work did not complete: {0}")]
    Aborted(String),
    /// What another request met reading for this one too.
    #[error(transparent)]
    Shared(Arc<DbError>),
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => DbError::ConnectionLost(info.message().trim_end().to_owned()),
            other => DbError::Query(other),
        }
    }
}

impl DbError {
    /// Whether PostgreSQL aborted the transaction to break a deadlock, so
    /// that running it again can succeed.
    pub fn is_deadlock(&self) -> bool {
        // Diesel does not expose the SQLSTATE (40P01); PostgreSQL's message
        // is fixed text under the C and English locales the service runs in.
        matches!(
            self,
            DbError::Query(DieselError::DatabaseError(_, info))
                if info.message() == "deadlock detected"
        )
    }

    pub fn is_connection_lost(&self) -> bool {
        matches!(self, DbError::ConnectionLost(_))
    }
}

/// An error type that may be a [`DbError`] underneath: what lets a
/// transaction run again after a deadlock, and the pool drop a connection
/// that was lost.
pub trait WrapsDbError: From<DbError> + From<DieselError> {
    fn db_error(&self) -> Option<&DbError>;
}

impl WrapsDbError for DbError {
    fn db_error(&self) -> Option<&DbError> {
        Some(self)
    }
}

/// Whether a unique violation is on a column named `column`: PostgreSQL
/// names the constraint (`tags_slug_key`), SQLite the column (`tags.slug`).
pub fn violates_unique(error: &DieselError, column: &str) -> bool {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            info.constraint_name()
                .is_some_and(|name| name.contains(column))
                || info.message().contains(&format!(".{column}"))
        }
        _ => false,
    }
}

/// Whether a statement broke a foreign key: on SQLite also the triggers
/// that stand in for one (they raise the same message).
pub fn violates_foreign_key(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => true,
        DieselError::DatabaseError(_, info) => {
            info.message().contains("FOREIGN KEY constraint failed")
        }
        _ => false,
    }
}
