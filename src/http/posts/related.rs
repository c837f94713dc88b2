//! Related posts of one post.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::cache::Cache;
use crate::db::Database;
use crate::domain::limits::RELATED_POSTS;
use crate::http::auth::Caller;
use crate::http::extract::{QueryParams, bad_query, given};
use crate::http::problem::ApiError;
use crate::http::{schemas, views};
use crate::services::posts::RelatedPosts;

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
    let read = RelatedPosts {
        id: id.into_inner(),
        scope: caller.post_scope(),
        limit,
    };
    let related = cache.read(&db, caller.checked, read).await?;
    let authenticated = caller.is_authenticated();
    Ok(HttpResponse::Ok().json(views::RelatedPosts {
        items: related
            .into_iter()
            .map(|post| views::Post::new(post, authenticated))
            .collect(),
    }))
}
