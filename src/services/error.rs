//! What a service call can fail with.

use diesel::result::Error as DieselError;

use crate::db::{DbError, WrapsDbError, violates_unique};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the slug `{slug}` is already taken")]
    SlugTaken { slug: String },
    /// `slug` is the slug of the tag that has the name.
    #[error("a tag with this name already exists")]
    TagNameTaken { slug: String },
    /// A tag that posts still carry cannot be deleted without `force`.
    #[error("the tag is on {posts} posts")]
    TagInUse { slug: String, posts: i64 },
    #[error("the resource has changed since it was read")]
    PreconditionFailed,
    /// The caller may see this but not do it.
    #[error("{0}")]
    Forbidden(String),
    /// Names of tags that do not exist yet, which the caller may not create.
    #[error("you may use existing tags only")]
    NewTagsRefused(Vec<String>),
    /// `slug` is the slug of the user who has the email.
    #[error("a user with this email already exists")]
    EmailTaken { slug: String },
    /// A user with posts is deleted only with somebody to give them to.
    #[error("the user has {posts} post(s)")]
    UserHasPosts { slug: String, posts: i64 },
    /// The caller's user was deleted while the request ran: its
    /// credentials no longer stand.
    #[error("the caller's user no longer exists")]
    CallerGone,
    /// Wrong email or password: one answer for both.
    #[error("wrong email or password")]
    SignInRefused,
    /// Too many failed sign-ins for this email lately.
    #[error("too many failed sign-ins for this email; try again in {retry_after_secs} s")]
    SignInLocked { retry_after_secs: i64 },
    /// A rule that can only be checked against stored data (such as the tag
    /// limit counted with the tags a post already has).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Gave up after losing the race for a slug or a name to concurrent
    /// requests too many times in a row.
    #[error("gave up under contention: {0}")]
    Contended(String),
    #[error(transparent)]
    Database(#[from] DbError),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

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

impl ServiceError {
    /// Whether a statement broke a foreign key.
    pub fn violates_foreign_key(&self) -> bool {
        matches!(self, ServiceError::Database(DbError::Query(error)) if crate::db::violates_foreign_key(error))
    }

    /// Whether the write lost a race for a tag's name, an alias or a slug to
    /// a concurrent request: run again, it finds what the other one took.
    pub fn lost_a_tag_key_race(&self) -> bool {
        self.violates_unique("name_key")
            || self.violates_unique("slug")
            || self.violates_unique("tag_aliases")
    }

    /// Whether a statement broke the uniqueness of `column`.
    pub fn violates_unique(&self, column: &str) -> bool {
        matches!(self, ServiceError::Database(DbError::Query(error)) if violates_unique(error, column))
    }
}

/// A read of one row that may find none: none is [`ServiceError::NotFound`].
pub trait OrNotFound<T> {
    fn or_not_found(self, what: &'static str) -> ServiceResult<T>;
}

impl<T> OrNotFound<T> for diesel::QueryResult<Option<T>> {
    fn or_not_found(self, what: &'static str) -> ServiceResult<T> {
        self?.ok_or(ServiceError::NotFound(what))
    }
}
