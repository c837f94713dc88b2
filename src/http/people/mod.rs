//! People routes: users, sessions, personal keys, the caller.

pub(super) mod bodies;
pub(super) mod credentials;
pub(super) mod users;

use std::sync::LazyLock;

use actix_web::http::Method;
use actix_web::web;
use tokio::sync::Semaphore;

use super::problem::ApiError;
use super::routes::{Endpoint, endpoint};

pub use bodies::check_bodies;
pub use credentials::SessionTtl;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint(Method::GET, "/api/v1/users", users::list_users),
        endpoint(Method::POST, "/api/v1/users", users::create_user),
        endpoint(Method::GET, "/api/v1/users/{slug}", users::get_user),
        endpoint(Method::PATCH, "/api/v1/users/{slug}", users::update_user),
        endpoint(Method::DELETE, "/api/v1/users/{slug}", users::delete_user),
        endpoint(Method::GET, "/api/v1/me", users::me),
        endpoint(Method::POST, "/api/v1/session", credentials::sign_in),
        endpoint(Method::DELETE, "/api/v1/session", credentials::sign_out),
        endpoint(Method::GET, "/api/v1/keys", credentials::list_keys),
        endpoint(Method::POST, "/api/v1/keys", credentials::create_key),
        endpoint(Method::DELETE, "/api/v1/keys/{id}", credentials::delete_key),
    ]
}

/// Which page of a list of people (users, keys).
/// Password hashes computed at once, at most: one per core. Each takes
/// about 19 MiB and tens of milliseconds of CPU on purpose; a flood of
/// sign-ins waits here instead of filling the memory and the blocking pool
/// that database calls need.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    Semaphore::new(cores)
});

/// Runs slow CPU work (a password hash) on the blocking pool, never on an
/// async worker, a few at a time.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|error| ApiError::Internal(format!("the hashing queue is closed: {error}")))?;
    web::block(work)
        .await
        .map_err(|error| ApiError::Internal(format!("a blocking task failed: {error}")))
}
