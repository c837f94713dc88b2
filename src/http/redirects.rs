//! Old slugs: a tag or a post asked for by a slug it had before is answered
//! `301 Moved Permanently` with where it is now, in one hop however many
//! times it moved.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use super::problem::ApiError;
use crate::db::Database;
use crate::services::{ServiceError, tags};

/// `301` to `path`, with the request's query kept (page 3 of a tag page
/// stays page 3).
fn moved_permanently(req: &HttpRequest, path: String) -> HttpResponse {
    let location = match req.query_string() {
        "" => path,
        query => format!("{path}?{query}"),
    };
    // Not kept by caches: a new tag or post may take the slug, and whom it
    // leads where depends on who asks.
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// What a tag route answers when no tag it may show has `slug`: a redirect
/// to the same route of the tag that last had it (`route` of its slug now),
/// when the caller sees that tag; else 404.
pub async fn to_moved_tag(
    req: &HttpRequest,
    db: &Database,
    slug: String,
    authenticated: bool,
    route: impl FnOnce(&str) -> String,
) -> Result<HttpResponse, ApiError> {
    let moved = db
        .run(move |conn| tags::moved_tag(conn, &slug, authenticated))
        .await?;
    match moved {
        Some(now) => Ok(moved_permanently(req, route(&now))),
        None => Err(ServiceError::NotFound("tag").into()),
    }
}

/// `301` to a post's address by its slug now.
pub fn to_post(req: &HttpRequest, slug: &str) -> HttpResponse {
    moved_permanently(req, format!("/api/v1/posts/slug/{slug}"))
}
