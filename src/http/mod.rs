//! The HTTP layer: routes, extractors, authentication, error mapping and
//! wire types. Handlers are thin: they parse input into domain values,
//! call a service (writes on the blocking pool through
//! [`Database::run`](crate::db::Database::run), reads through
//! [`Cache::read`](crate::cache::Cache::read)), and shape the result.

pub mod auth;
mod authors;
pub mod cors;
pub mod delivery;
pub mod extract;
pub mod feeds;
mod health;
pub mod metrics;
pub mod middleware;
pub mod openapi;
mod pages;
pub mod people;
mod posts;
mod preconditions;
pub mod problem;
mod redirects;
mod revalidate;
mod routes;
mod rules;
mod schemas;
mod tags;
pub mod views;
mod webhooks;
mod who_may;

use actix_web::http::Method;
use actix_web::web;
use utoipa::OpenApi;

pub use routes::Endpoint;
use routes::endpoint;

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
    table.extend(authors::endpoints());
    table.extend(people::endpoints());
    table.extend(webhooks::endpoints());
    table.extend(feeds::endpoints());
    table
}

pub fn configure(cfg: &mut web::ServiceConfig, origins: &cors::AllowedOrigins) {
    routes::route(cfg, endpoints(), origins);
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
    people::check_bodies(bytes, &mut outcomes);
    webhooks::check_bodies(bytes, &mut outcomes);
    outcomes
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
        assert_eq!(checks.len(), 13);
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
