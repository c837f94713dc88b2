//! The HTTP layer: routes, extractors, authentication, error mapping and
//! wire types. Handlers are thin: they parse input into domain values, run a
//! service function off the async workers, and shape the result.

pub mod auth;
pub mod extract;
mod health;
pub mod openapi;
mod posts;
pub mod problem;
mod rules;
mod schemas;
mod shared_reading;
mod tags;
pub mod views;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{FromRequest, Handler, Responder, web};
use chrono::NaiveDateTime;
use utoipa::OpenApi;

use crate::db::{Backend, DbConn, Pool, checkout, with_connection};
use crate::domain::limits::PageSize;
use crate::domain::page::PageRequest;
use crate::domain::time::now;
use crate::services::counts::{self, Checked, CountCache, Proven, Writes};
use crate::services::{MemoryOnly, Reader, ServiceError, ServiceResult};
use problem::ApiError;
use shared_reading::SharedReading;

/// The connection pool, used from handlers, and the tag counts and
/// answers kept in memory beside it. Diesel blocks, so every call that
/// touches the database (taking a connection included) runs on the blocking
/// thread pool, never on an async worker; answers from memory are given on
/// the worker.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    counts: Arc<CountCache>,
    writes: Arc<SharedReading<Writes, ApiError>>,
}

impl Db {
    pub fn new(pool: Pool, backend: Backend) -> Self {
        Self {
            pool,
            backend,
            counts: Arc::new(CountCache::new()),
            writes: Arc::default(),
        }
    }

    /// [`Db::run`] for work that needs the tag counts, given counts proven
    /// current (or taken afresh) and the moment they hold for. `work` is
    /// first given no connection, and called again with one only if what
    /// it needs is not in memory. While another request recounts, this one
    /// waits for it without holding a connection, so that requests that
    /// need no counts go on being served.
    pub async fn run_counted<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: Fn(&mut dyn Reader, &Proven, NaiveDateTime) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let now = now();
        let writes = self.committed_writes().await?;
        match self.counts.proven(writes, now) {
            Ok(counts) => {
                // As of the moment the counts hold for (a recount is newer).
                let now = now.max(counts.taken_at());
                self.run_memory_first(work, counts, now).await
            }
            Err(stale) => {
                let cache = self.counts.clone();
                self.blocking(move |pool| {
                    let counts = cache.recount(stale, crate::domain::time::now(), || {
                        checkout(pool).map_err(ServiceError::from)
                    })?;
                    let now = now.max(counts.taken_at());
                    with_connection(pool, |conn| work(conn, &counts, now))
                })
                .await
            }
        }
    }

    /// [`Db::run`] for reads that may be answered from memory, given what
    /// is remembered for the `count_changes` sums as they are now. `work`
    /// is first given no connection, as in [`Db::run_counted`].
    pub async fn run_checked<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: Fn(&mut dyn Reader, &Checked, NaiveDateTime) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let now = now();
        let writes = self.committed_writes().await?;
        let checked = self.counts.checked(writes);
        self.run_memory_first(work, checked, now).await
    }

    /// The `count_changes` sums, read after this call began: by this
    /// request, or by another one for both.
    async fn committed_writes(&self) -> Result<Writes, ApiError> {
        self.writes
            .read(|| {
                self.blocking(|pool| {
                    with_connection(pool, |conn| {
                        counts::committed_writes(conn).map_err(ServiceError::from)
                    })
                })
            })
            .await
    }

    /// `work` from memory, on this worker; else with a connection.
    async fn run_memory_first<T, C, F>(
        &self,
        work: F,
        context: C,
        now: NaiveDateTime,
    ) -> Result<T, ApiError>
    where
        F: Fn(&mut dyn Reader, &C, NaiveDateTime) -> ServiceResult<T> + Send + 'static,
        C: Send + 'static,
        T: Send + 'static,
    {
        match work(&mut MemoryOnly(self.backend), &context, now) {
            Err(ServiceError::NotInMemory) => {}
            answered => return answered.map_err(ApiError::from),
        }
        self.blocking(move |pool| with_connection(pool, |conn| work(conn, &context, now)))
            .await
    }

    /// Takes the tag counts before the first request needs them: on a large
    /// blog that is seconds of work, better done before serving.
    pub async fn warm_counts(&self) {
        let started = std::time::Instant::now();
        let warmed = self.run_counted(|_, _, _| Ok(())).await;
        match warmed {
            Ok(()) => log::info!("tag counts taken in {:.1?}", started.elapsed()),
            // Not fatal: the first request that needs them will try again.
            Err(error) => log::warn!("could not take the tag counts at start: {error}"),
        }
    }

    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking(move |pool| with_connection(pool, work)).await
    }

    async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&Pool) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let outcome = web::block(move || work(&pool))
            .await
            .map_err(|error| ApiError::Internal(format!("blocking task failed: {error}")))?;
        outcome.map_err(ApiError::from)
    }
}

/// One route the API serves: its method, its full path as the OpenAPI
/// document writes it, and the handler.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    route: actix_web::Route,
}

fn endpoint<F, Args>(method: Method, path: &'static str, handler: F) -> Endpoint
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    Endpoint {
        route: web::method(method.clone()).to(handler),
        method,
        path,
    }
}

/// Every route of the API, in matching order. The router is built from this
/// table alone, so a test can hold it against the OpenAPI document.
pub fn endpoints() -> Vec<Endpoint> {
    let mut table = vec![
        endpoint(Method::GET, "/healthz", health::healthz),
        endpoint(Method::GET, "/readyz", health::readyz),
        endpoint(Method::GET, openapi::DOCUMENT_PATH, openapi::document),
    ];
    table.extend(posts::endpoints());
    table.extend(tags::endpoints());
    table
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Routes sharing a path share a resource, so that a known path with a
    // method it lacks answers 405 rather than 404.
    let mut resources: Vec<(&'static str, Vec<actix_web::Route>)> = Vec::new();
    for Endpoint { path, route, .. } in endpoints() {
        match resources.iter_mut().find(|(known, _)| *known == path) {
            Some((_, routes)) => routes.push(route),
            None => resources.push((path, vec![route])),
        }
    }
    for (path, routes) in resources {
        cfg.service(
            routes
                .into_iter()
                .fold(web::resource(path), actix_web::Resource::route),
        );
    }
    // The docs page is HTML for people, not part of the API it describes.
    cfg.app_data(web::Data::new(openapi::ApiDoc::openapi()))
        .route("/docs", web::get().to(openapi::docs_redirect))
        .service(openapi::swagger_ui());
}

/// Every JSON body the API takes, parsed from the same bytes as its route
/// would parse it and converted to domain values. The fuzz target
/// (`fuzz/fuzz_targets/request_bodies.rs`) feeds it arbitrary bytes: each
/// body must be accepted or refused with 400 or 422, never accepted by
/// validation and then refused by the domain, never a panic.
pub fn check_request_bodies(bytes: &[u8]) -> Vec<extract::BodyCheck> {
    let mut outcomes = Vec::new();
    posts::check_bodies(bytes, &mut outcomes);
    tags::check_bodies(bytes, &mut outcomes);
    outcomes
}

/// The page a request asks for, or a 400 naming the parameter at fault.
fn page_request(
    page: Option<u32>,
    per_page: Option<u32>,
    size: PageSize,
) -> Result<PageRequest, ApiError> {
    PageRequest::parse(page, per_page, size)
        .map_err(|bad| extract::bad_query(bad.name, bad.message))
}

/// Refuses a URL that encodes the NUL character before any handler sees it:
/// no stored text can hold one (PostgreSQL cannot), so such a path names
/// nothing (404) and such a query is malformed (400).
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let encodes_nul = |text: &str| {
        text.as_bytes()
            .windows(3)
            .any(|window| window.eq_ignore_ascii_case(b"%00"))
    };
    if encodes_nul(req.path()) {
        return Err(ApiError::NotFound("no such resource".into()).into());
    }
    if encodes_nul(req.query_string()) {
        return Err(ApiError::BadRequest(
            "query parameters must not contain the NUL character (U+0000)".into(),
        )
        .into());
    }
    next.call(req).await
}

/// Answers requests that match no route.
pub async fn no_such_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such route".into()))
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;

    use super::check_request_bodies;
    use super::extract::{BodyCheck, BodyFault};

    fn outcome<'a>(checks: &'a [BodyCheck], route: &str) -> &'a Result<(), BodyFault> {
        &checks
            .iter()
            .find(|check| check.route == route)
            .expect("a checked route")
            .outcome
    }

    fn refused(checks: &[BodyCheck], route: &str) -> Option<StatusCode> {
        match outcome(checks, route) {
            Err(BodyFault::Refused(status)) => Some(*status),
            _ => None,
        }
    }

    #[test]
    fn every_body_is_checked_the_way_its_route_parses_it() {
        let checks = check_request_bodies(br#"{"title": "Hello", "tags": ["Rust", "rust"]}"#);
        assert_eq!(checks.len(), 7);
        assert!(outcome(&checks, "POST /posts").is_ok());
        assert!(outcome(&checks, "PATCH /posts/{id}").is_ok());
        assert_eq!(
            refused(&checks, "POST /tags"),
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        );

        let checks = check_request_bodies(b"{\"title\": ");
        assert!(
            checks
                .iter()
                .all(|check| refused(&checks, check.route) == Some(StatusCode::BAD_REQUEST))
        );
    }

    #[test]
    fn a_refused_tag_list_with_bad_names_is_a_422_not_a_panic() {
        let checks = check_request_bodies(br#"{"ids": [1], "action": "delete", "tags": [" "]}"#);
        assert_eq!(
            refused(&checks, "POST /posts/bulk"),
            Some(StatusCode::UNPROCESSABLE_ENTITY)
        );
    }
}
