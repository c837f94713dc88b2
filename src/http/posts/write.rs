//! Writing posts: create, change, trash, restore, delete.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::bodies::{NewPostBody, PostFields};
use super::post_response;
use crate::db::Database;
use crate::http::auth::Staff;
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::problem::ApiError;
use crate::http::{preconditions, views};
use crate::services::posts;

/// Creates a post; its tags are got or created by name.
#[utoipa::path(
    post,
    path = "/api/v1/posts",
    tag = "posts",
    security(("bearer" = [])),
    request_body(
        content = NewPostBody,
        example = json!({"title": "Hello, Rust", "body": "Why we chose Rust.",
            "status": "published", "tags": ["Rust", "Web"]})
    ),
    responses(
        (status = 201, description = "Created", body = views::Post, headers(
            ("Location" = String, description = "The new post's URL"),
            ("ETag" = String, description = "The post's version")
        )),
        (status = 409, description = "The slug is taken"),
    ),
)]
pub async fn create_post(
    db: web::Data<Database>,
    Staff(caller): Staff,
    body: JsonBody<NewPostBody>,
) -> Result<HttpResponse, ApiError> {
    let new_post = body.into_inner().0.into_new_post()?;
    let post = db
        .run(move |conn| posts::create(conn, new_post, &caller))
        .await?;
    let location = format!("/api/v1/posts/{}", post.post.id);
    let mut response = post_response(StatusCode::CREATED, post);
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Changes the members given: absent leaves a field alone, `null` clears a
/// nullable one (`excerpt`, `published_at`), a value sets it; `tags`
/// replaces the list.
#[utoipa::path(
    patch,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The post's id", example = 1),
        ("If-Match" = Option<String>, Header, description = "Change only if the post's ETag is one of these"),
    ),
    request_body(content = PostFields, example = json!({"excerpt": null, "tags": ["Rust"]})),
    responses(
        (status = 200, description = "The changed post", body = views::Post,
            headers(("ETag" = String, description = "The post's new version"))),
        (status = 404, description = "No such post, or not one the caller sees"),
        (status = 409, description = "The slug is taken"),
        (status = 412, description = "`If-Match` does not match the post's ETag"),
    ),
)]
pub async fn update_post(
    req: HttpRequest,
    db: web::Data<Database>,
    Staff(caller): Staff,
    id: web::Path<i64>,
    body: JsonBody<PostFields>,
) -> Result<HttpResponse, ApiError> {
    let expected = preconditions::expected_version(&req)?;
    let update = body.into_inner().into_update()?;
    let id = id.into_inner();
    let post = db
        .run(move |conn| posts::update(conn, id, update, expected.as_ref(), &caller))
        .await?;
    Ok(post_response(StatusCode::OK, post))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// `true` deletes the post for good instead of moving it to the trash.
    #[serde(default)]
    permanent: bool,
}

/// Moves a post to the trash, or deletes it for good.
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The post's id", example = 1), DeleteParams),
    responses(
        (status = 204, description = "Trashed (or deleted)"),
        (status = 404, description = "No such post, or not one the caller sees"),
    ),
)]
pub async fn delete_post(
    db: web::Data<Database>,
    Staff(caller): Staff,
    id: web::Path<i64>,
    params: QueryParams<DeleteParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if params.0.permanent {
        db.run(move |conn| posts::delete_permanently(conn, id, &caller))
            .await?;
    } else {
        db.run(move |conn| posts::trash(conn, id, &caller)).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Takes a post out of the trash.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/restore",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The post's id", example = 1)),
    responses(
        (status = 200, description = "The restored post", body = views::Post),
        (status = 404, description = "No such post, or not one the caller sees"),
    ),
)]
pub async fn restore_post(
    db: web::Data<Database>,
    Staff(caller): Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let post = db
        .run(move |conn| posts::restore(conn, id, &caller))
        .await?;
    Ok(post_response(StatusCode::OK, post))
}
