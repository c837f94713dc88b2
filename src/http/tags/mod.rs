//! Tag routes: the route table.

pub(super) mod admin;
pub(super) mod aliases;
pub(super) mod bodies;
pub(super) mod read;

use actix_web::http::Method;

use super::routes::{Endpoint, endpoint, public_read};

pub use bodies::check_bodies;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        public_read("/api/v1/tags", read::list_tags),
        endpoint(Method::POST, "/api/v1/tags", admin::create_tag),
        public_read("/api/v1/tags/{slug}", read::get_tag),
        endpoint(Method::PATCH, "/api/v1/tags/{slug}", admin::update_tag),
        endpoint(Method::DELETE, "/api/v1/tags/{slug}", admin::delete_tag),
        public_read("/api/v1/tags/{slug}/posts", read::tag_posts),
        endpoint(Method::POST, "/api/v1/tags/{slug}/merge", admin::merge_tag),
        endpoint(
            Method::POST,
            "/api/v1/tags/{slug}/aliases",
            aliases::add_alias,
        ),
        endpoint(
            Method::DELETE,
            "/api/v1/tags/{slug}/aliases/{alias}",
            aliases::remove_alias,
        ),
    ]
}
