//! The HTTP layer: routes, extractors, authentication, error mapping and
//! wire types. Handlers are thin: they parse input into domain values, run a
//! service function off the async workers, and shape the result.

pub mod auth;
pub mod extract;
mod health;
mod posts;
pub mod problem;
mod rules;
mod tags;
pub mod views;

use actix_web::web;

use crate::db::{DbConn, Pool};
use crate::services::{PageRequest, ServiceError, ServiceResult};
use problem::ApiError;

/// The connection pool, used from handlers. Diesel blocks, so every call
/// (taking a connection included) runs on the blocking thread pool, never on
/// an async worker.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let outcome = web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|error| ServiceError::Unavailable(error.to_string()))?;
            work(&mut conn)
        })
        .await
        .map_err(|error| ApiError::Internal(format!("blocking task failed: {error}")))?;
        outcome.map_err(ApiError::from)
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .service(
            web::scope("/api/v1")
                .configure(posts::routes)
                .configure(tags::routes),
        );
}

/// `page` (from 1) and `per_page` (from 1 to `max`), or a 400 naming the
/// parameter.
fn page_request(
    page: Option<u32>,
    per_page: Option<u32>,
    default: u32,
    max: u32,
) -> Result<PageRequest, ApiError> {
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(extract::bad_query("page", "must be 1 or more"));
    }
    let per_page = per_page.unwrap_or(default);
    if per_page == 0 || per_page > max {
        return Err(extract::bad_query(
            "per_page",
            format_args!("must be from 1 to {max}"),
        ));
    }
    Ok(PageRequest { page, per_page })
}

/// Answers requests that match no route.
pub async fn no_such_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such route".into()))
}
