//! Tag administration: create, change, delete, merge.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::bodies::{MergeRequest, NewTagBody, TagFields};
use crate::db::Database;
use crate::http::auth::Staff;
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::problem::ApiError;
use crate::http::views;
use crate::services::tags;

/// Creates a tag.
#[utoipa::path(
    post,
    path = "/api/v1/tags",
    tag = "tags",
    security(("bearer" = [])),
    request_body(
        content = NewTagBody,
        example = json!({"name": "Rust", "description": "Posts about Rust"})
    ),
    responses(
        (status = 201, description = "Created", body = views::Tag,
            headers(("Location" = String, description = "The new tag's URL"))),
        (status = 409, description = "A tag has this name (case-insensitively) or slug; `slug` names it"),
    ),
)]
pub async fn create_tag(
    db: web::Data<Database>,
    Staff(caller): Staff,
    body: JsonBody<NewTagBody>,
) -> Result<HttpResponse, ApiError> {
    let new_tag = body.into_inner().0.into_new_tag()?;
    let tag = db
        .run(move |conn| tags::create(conn, new_tag, &caller))
        .await?;
    let location = format!("/api/v1/tags/{}", tag.tag.slug);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(views::Tag::new(tag, true)))
}

/// Renames a tag, changes its slug or its description (`null` clears it).
#[utoipa::path(
    patch,
    path = "/api/v1/tags/{slug}",
    tag = "tags",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The tag's slug", example = "rust")),
    request_body(content = TagFields, example = json!({"description": null})),
    responses(
        (status = 200, description = "The changed tag", body = views::Tag),
        (status = 404, description = "No such tag"),
        (status = 409, description = "Another tag has this name or slug"),
    ),
)]
pub async fn update_tag(
    db: web::Data<Database>,
    Staff(caller): Staff,
    slug: web::Path<String>,
    body: JsonBody<TagFields>,
) -> Result<HttpResponse, ApiError> {
    let update = body.into_inner().into_update()?;
    let slug = slug.into_inner();
    let tag = db
        .run(move |conn| tags::update(conn, &slug, update, &caller))
        .await?;
    Ok(HttpResponse::Ok().json(views::Tag::new(tag, true)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// `true` detaches the tag from every post before deleting it.
    #[serde(default)]
    force: bool,
}

/// Deletes a tag that no post carries, or with `force` any tag.
#[utoipa::path(
    delete,
    path = "/api/v1/tags/{slug}",
    tag = "tags",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The tag's slug", example = "rust"), DeleteParams),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such tag"),
        (status = 409, description = "Posts (of any status, trashed too) carry the tag"),
    ),
)]
pub async fn delete_tag(
    db: web::Data<Database>,
    Staff(caller): Staff,
    slug: web::Path<String>,
    params: QueryParams<DeleteParams>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let force = params.0.force;
    db.run(move |conn| tags::delete(conn, &slug, force, &caller))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves every post of this tag to another and deletes this one.
#[utoipa::path(
    post,
    path = "/api/v1/tags/{slug}/merge",
    tag = "tags",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The slug of the tag to merge away", example = "rustlang")),
    request_body = MergeRequest,
    responses(
        (status = 200, description = "The target tag with its new counts", body = views::Tag),
        (status = 404, description = "No such tag"),
    ),
)]
pub async fn merge_tag(
    db: web::Data<Database>,
    Staff(caller): Staff,
    slug: web::Path<String>,
    body: JsonBody<MergeRequest>,
) -> Result<HttpResponse, ApiError> {
    let into = body.into_inner().into.value().unwrap_or_default();
    let source = slug.into_inner();
    let target = db
        .run(move |conn| tags::merge(conn, &source, &into, &caller))
        .await?;
    Ok(HttpResponse::Ok().json(views::Tag::new(target, true)))
}
