//! A tag's aliases: adding and removing them.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::bodies::AliasRequest;
use crate::db::Database;
use crate::http::auth::Staff;
use crate::http::extract::JsonBody;
use crate::http::problem::ApiError;
use crate::http::views;
use crate::services::tags::aliases;

/// Gives a tag another name: from then on get-or-create resolves the name
/// (normalised, whatever the case) to this tag.
#[utoipa::path(
    post,
    path = "/api/v1/tags/{slug}/aliases",
    tag = "tags",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The tag's slug", example = "javascript")),
    request_body = AliasRequest,
    responses(
        (status = 201, description = "The tag with its aliases", body = views::Tag,
            headers(("Location" = String, description = "The tag's URL"))),
        (status = 404, description = "No such tag"),
        (status = 409, description = "A tag has this name, as its name or an alias; `slug` names it"),
    ),
)]
pub async fn add_alias(
    db: web::Data<Database>,
    Staff(caller): Staff,
    slug: web::Path<String>,
    body: JsonBody<AliasRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = body.into_inner().into_name()?;
    let slug = slug.into_inner();
    let tag = db
        .run(move |conn| aliases::add(conn, &slug, &name, &caller))
        .await?;
    let location = format!("/api/v1/tags/{}", tag.tag.slug);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(views::Tag::new(tag, true)))
}

/// Takes an alias from a tag.
#[utoipa::path(
    delete,
    path = "/api/v1/tags/{slug}/aliases/{alias}",
    tag = "tags",
    security(("bearer" = [])),
    params(
        ("slug" = String, Path, description = "The tag's slug", example = "javascript"),
        ("alias" = String, Path, description = "The alias, matched as a name is (URL-encoded)",
            example = "js"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such tag, or it has no such alias"),
    ),
)]
pub async fn remove_alias(
    db: web::Data<Database>,
    Staff(caller): Staff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, alias) = path.into_inner();
    db.run(move |conn| aliases::remove(conn, &slug, &alias, &caller))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
