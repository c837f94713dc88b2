//! Related posts of one post.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::cache::{Cache, Fresh};
use crate::db::Database;
use crate::domain::limits::RELATED_POSTS;
use crate::http::auth::Caller;
use crate::http::delivery::{Delivery, Fingerprint};
use crate::http::extract::{QueryParams, bad_query, given};
use crate::http::problem::ApiError;
use crate::http::{schemas, views};
use crate::services::posts::RelatedPosts;
use crate::services::purge_keys;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    #[param(schema_with = schemas::related_limit_schema)]
    #[serde(default, deserialize_with = "given")]
    limit: Option<u32>,
}

/// Other visible posts, ranked by the tags they share with this one: a
/// shared tag carried by `n` visible posts weighs `1 / ln(1 + n)`, so a rare
/// one counts for more; ties newest first. Internal tags relate nothing.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}/related",
    tag = "posts",
    security((), ("bearer" = [])),
    params(("id" = i64, Path, description = "The post's id", example = 1), RelatedParams),
    responses(
        (status = 200, description = "The related posts, best first", body = views::RelatedPosts),
        (status = 404, description = "No such post, or not visible to the caller"),
    ),
)]
pub async fn related_posts(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    id: web::Path<i64>,
    params: QueryParams<RelatedParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = params.0.limit.unwrap_or(RELATED_POSTS.default);
    if !(1..=RELATED_POSTS.max).contains(&limit) {
        return Err(bad_query(
            "limit",
            format_args!("must be 1 to {}", RELATED_POSTS.max),
        ));
    }
    let id = id.into_inner();
    let read = RelatedPosts {
        id,
        scope: caller.post_scope(),
        limit,
    };
    let Fresh {
        answer: related,
        next_change,
    } = cache.read_fresh(&db, caller.checked, read).await?;
    let authenticated = caller.is_authenticated();
    let mut delivery = Delivery::new(&req, authenticated, next_change);
    delivery
        .keys()
        .add(purge_keys::POSTS)
        .add(purge_keys::post(id))
        .posts(&related);
    let etag = Fingerprint::new("related posts", authenticated)
        .with_posts(&related)
        .etag();
    Ok(delivery.tagged(etag, |mut answer| {
        answer.json(views::RelatedPosts {
            items: related
                .into_iter()
                .map(|post| views::Post::new(post, authenticated))
                .collect(),
        })
    }))
}
