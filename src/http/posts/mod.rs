//! Post routes: the route table, and the response every route that
//! answers a post gives.

pub(super) mod bodies;
pub(super) mod bulk;
pub(super) mod read;
pub(super) mod related;
pub(super) mod tags;
pub(super) mod write;

use std::sync::Arc;

use actix_web::http::header;
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};

use super::delivery::Delivery;
use super::preconditions::post_etag;
use super::routes::{Endpoint, endpoint, public_read};
use super::views;
use crate::models::PostWithTags;

pub use bodies::check_bodies;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        public_read("/api/v1/posts", read::list_posts),
        endpoint(Method::POST, "/api/v1/posts", write::create_post),
        // Before `/posts/{id}`, which would take `bulk` for an id.
        endpoint(Method::POST, "/api/v1/posts/bulk", bulk::bulk),
        public_read("/api/v1/posts/slug/{slug}", read::get_post_by_slug),
        public_read("/api/v1/posts/{id}", read::get_post),
        public_read("/api/v1/posts/{id}/related", related::related_posts),
        endpoint(Method::PATCH, "/api/v1/posts/{id}", write::update_post),
        endpoint(Method::DELETE, "/api/v1/posts/{id}", write::delete_post),
        endpoint(
            Method::POST,
            "/api/v1/posts/{id}/restore",
            write::restore_post,
        ),
        endpoint(Method::POST, "/api/v1/posts/{id}/tags", tags::add_tags),
        endpoint(
            Method::DELETE,
            "/api/v1/posts/{id}/tags/{tag_slug}",
            tags::remove_tag,
        ),
    ]
}

/// The answer to a write: the post as staff see it, with its ETag.
fn post_response(status: StatusCode, post: PostWithTags) -> HttpResponse {
    post_response_for(status, post, true)
}

/// The post as the caller sees it, with its ETag.
fn post_response_for(status: StatusCode, post: PostWithTags, authenticated: bool) -> HttpResponse {
    let etag = post_etag(&post, authenticated);
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag))
        .json(views::Post::new(post, authenticated))
}

/// `304 Not Modified` when the client's `If-None-Match` names the
/// representation the caller would be sent; otherwise the post.
fn conditional_post_response(
    req: &HttpRequest,
    post: Arc<PostWithTags>,
    authenticated: bool,
) -> HttpResponse {
    let etag = post_etag(&post, authenticated);
    // No scheduled post changes one that is visible already.
    let mut delivery = Delivery::new(req, authenticated, None);
    delivery.keys().post(&post);
    delivery.tagged(etag, |mut answer| {
        answer.json(views::Post::new(Arc::unwrap_or_clone(post), authenticated))
    })
}
