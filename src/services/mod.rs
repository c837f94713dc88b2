//! The service layer: what the API does. Writes are plain functions on a
//! [`DbConn`](crate::db::DbConn), each owning its transaction, so that a
//! change and everything that goes with it commit together or not at all.
//! Reads are [`CachedRead`](crate::cache::CachedRead)s: what they take from
//! memory, and what they ask the database otherwise.

pub mod authors;
mod error;
pub mod people;
pub mod posts;
pub mod purge_keys;
mod races;
pub mod tag_names;
pub mod tags;
pub mod webhooks;

pub use error::{OrNotFound, ServiceError, ServiceResult};
