//! The post tag routes: attaching tags, detaching one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::bodies::AddTagsRequest;
use super::post_response;
use crate::db::Database;
use crate::http::auth::Staff;
use crate::http::extract::JsonBody;
use crate::http::problem::ApiError;
use crate::http::{rules, views};
use crate::services::posts;

/// Gets or creates tags by name and attaches them, keeping the post's own.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/tags",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The post's id", example = 1)),
    request_body = AddTagsRequest,
    responses(
        (status = 200, description = "The post with its tags", body = views::Post),
        (status = 404, description = "No such post, or not one the caller sees"),
    ),
)]
pub async fn add_tags(
    db: web::Data<Database>,
    Staff(caller): Staff,
    id: web::Path<i64>,
    body: JsonBody<AddTagsRequest>,
) -> Result<HttpResponse, ApiError> {
    let names = rules::parse_tag_names(body.into_inner().tags.value().unwrap_or_default());
    let id = id.into_inner();
    let post = db
        .run(move |conn| posts::add_tags(conn, id, &names, &caller))
        .await?;
    Ok(post_response(StatusCode::OK, post))
}

/// Detaches one tag from a post; the tag itself remains.
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{id}/tags/{tag_slug}",
    tag = "posts",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The post's id", example = 1),
        ("tag_slug" = String, Path, description = "The tag's slug", example = "rust"),
    ),
    responses(
        (status = 200, description = "The post without the tag", body = views::Post),
        (status = 404, description = "No such post or tag"),
    ),
)]
pub async fn remove_tag(
    db: web::Data<Database>,
    Staff(caller): Staff,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, tag_slug) = path.into_inner();
    let post = db
        .run(move |conn| posts::remove_tag(conn, id, &tag_slug, &caller))
        .await?;
    Ok(post_response(StatusCode::OK, post))
}
