//! Tag routes.

use actix_web::http::{Method, header};
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::auth::{Admin, Caller};
use super::extract::{
    BodyCheck, Create, CreateBody, JsonBody, QueryParams, RequestBody, UnknownFields, bad_query,
    check_body, given,
};
use super::problem::ApiError;
use super::{Db, Endpoint, endpoint, page_request, views};
use super::{rules, schemas};
use crate::domain::limits::{POST_PAGE, TAG_PAGE, TAG_PREFIX_MAX_CHARS};
use crate::domain::patch::Patch;
use crate::domain::slug::Slug;
use crate::domain::tag_name::{TagName, tag_prefix_key};
use crate::services::tags::{self, NewTag, TagListQuery, TagSort, TagUpdate};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint(Method::GET, "/api/v1/tags", list_tags),
        endpoint(Method::POST, "/api/v1/tags", create_tag),
        endpoint(Method::GET, "/api/v1/tags/{slug}", get_tag),
        endpoint(Method::PATCH, "/api/v1/tags/{slug}", update_tag),
        endpoint(Method::DELETE, "/api/v1/tags/{slug}", delete_tag),
        endpoint(Method::GET, "/api/v1/tags/{slug}/posts", tag_posts),
        endpoint(Method::POST, "/api/v1/tags/{slug}/merge", merge_tag),
    ]
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// `count` (the default: most visible posts first, then by name),
    /// `name` or `created`.
    #[param(schema_with = schemas::tag_sort_schema)]
    sort: Option<String>,
    /// Hide tags with fewer visible posts; `1` hides empty tags.
    #[param(minimum = 0, example = 1)]
    #[serde(default, deserialize_with = "given")]
    min_count: Option<i64>,
    #[param(schema_with = schemas::tag_prefix_schema)]
    q: Option<String>,
    /// From 1.
    #[param(minimum = 1, example = 1)]
    #[serde(default, deserialize_with = "given")]
    page: Option<u32>,
    #[param(schema_with = schemas::tags_per_page_schema)]
    #[serde(default, deserialize_with = "given")]
    per_page: Option<u32>,
}

/// Tags with their counts of visible posts (and, with the token, of all
/// posts not deleted), from one `GROUP BY` join.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "tags",
    security((), ("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "A page of tags", body = views::List<views::Tag>)),
)]
async fn list_tags(
    db: web::Data<Db>,
    caller: Caller,
    params: QueryParams<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.0;
    let page = page_request(params.page, params.per_page, TAG_PAGE)?;
    let sort = match params.sort.as_deref() {
        None | Some("count") => TagSort::Count,
        Some("name") => TagSort::Name,
        Some("created") => TagSort::Created,
        Some(_) => return Err(bad_query("sort", "must be one of count, name, created")),
    };
    let min_count = params.min_count.unwrap_or(0);
    if min_count < 0 {
        return Err(bad_query("min_count", "must be 0 or more"));
    }
    let prefix = match params.q {
        Some(q) if q.chars().count() > TAG_PREFIX_MAX_CHARS => {
            return Err(bad_query(
                "q",
                format_args!("must be at most {TAG_PREFIX_MAX_CHARS} characters"),
            ));
        }
        Some(q) => Some(tag_prefix_key(&q)).filter(|prefix| !prefix.is_empty()),
        None => None,
    };
    let query = TagListQuery {
        sort,
        min_count,
        prefix,
    };
    let found = db
        .run_counted(move |_, counts, _| Ok(counts.list(&query, page)))
        .await?;
    let admin = caller.is_admin();
    Ok(HttpResponse::Ok().json(views::List::new(found, |tag| views::Tag::new(tag, admin))))
}

/// One tag with its counts.
#[utoipa::path(
    get,
    path = "/api/v1/tags/{slug}",
    tag = "tags",
    security((), ("bearer" = [])),
    params(("slug" = String, Path, description = "The tag's slug", example = "rust")),
    responses(
        (status = 200, description = "The tag", body = views::Tag),
        (status = 404, description = "No such tag"),
    ),
)]
async fn get_tag(
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let tag = db
        .run_counted(move |_, counts, _| tags::get(counts, &slug))
        .await?;
    Ok(HttpResponse::Ok().json(views::Tag::new(tag, caller.is_admin())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageParams {
    /// From 1.
    #[param(minimum = 1, example = 1)]
    #[serde(default, deserialize_with = "given")]
    page: Option<u32>,
    #[param(schema_with = schemas::posts_per_page_schema)]
    #[serde(default, deserialize_with = "given")]
    per_page: Option<u32>,
}

/// The public tag page: the tag and its visible posts, newest first, with
/// or without a token.
#[utoipa::path(
    get,
    path = "/api/v1/tags/{slug}/posts",
    tag = "tags",
    security((), ("bearer" = [])),
    params(("slug" = String, Path, description = "The tag's slug", example = "rust"), PageParams),
    responses(
        (status = 200, description = "The tag and a page of its posts", body = views::TagPosts),
        (status = 404, description = "No such tag"),
    ),
)]
async fn tag_posts(
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<String>,
    params: QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(params.0.page, params.0.per_page, POST_PAGE)?;
    let slug = slug.into_inner();
    let (tag, posts) = db
        .run_counted(move |reader, counts, now| {
            tags::posts_of_tag(reader, counts, &slug, page, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views::TagPosts {
        tag: views::Tag::new(tag, caller.is_admin()),
        posts: views::List::new(posts, views::Post::from),
    }))
}

/// The fields of a tag in a request body; `POST` wraps it to require a name.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = TagChanges)]
pub struct TagFields {
    /// Unique case-insensitively (see [`schemas::tag_name_schema`]).
    #[serde(default)]
    #[validate(custom(function = "rules::tag_name_field"))]
    #[schema(schema_with = schemas::tag_name_schema)]
    name: Patch<String>,
    /// Generated from the name when not given on create; a rename keeps it.
    #[serde(default)]
    #[validate(custom(function = "rules::slug"))]
    #[schema(schema_with = schemas::slug_schema)]
    slug: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::description"))]
    #[schema(schema_with = schemas::tag_description_schema)]
    description: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for TagFields {
    const FIELDS: &'static [&'static str] = &["name", "slug", "description"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

impl TagFields {
    fn name(&self) -> Result<Option<TagName>, ApiError> {
        self.name
            .clone()
            .value()
            .map(|name| TagName::parse(&name).map_err(|message| ApiError::field("name", message)))
            .transpose()
    }

    fn slug(&self) -> Result<Option<Slug>, ApiError> {
        self.slug
            .clone()
            .value()
            .map(|slug| Slug::parse(&slug).map_err(|message| ApiError::field("slug", message)))
            .transpose()
    }

    /// For `POST /tags`, once the name is known to be there.
    fn into_new_tag(self) -> Result<NewTag, ApiError> {
        Ok(NewTag {
            name: self
                .name()?
                .ok_or_else(|| ApiError::field("name", "is required"))?,
            slug: self.slug()?,
            description: self.description.value(),
        })
    }

    fn into_update(self) -> Result<TagUpdate, ApiError> {
        Ok(TagUpdate {
            name: self.name()?,
            slug: self.slug()?,
            description: self.description,
        })
    }
}

/// Each tag body parsed from the same bytes, down to domain values.
pub(super) fn check_bodies(bytes: &[u8], outcomes: &mut Vec<BodyCheck>) {
    outcomes.push(check_body("POST /tags", bytes, |body: NewTagBody| {
        body.0.into_new_tag()
    }));
    outcomes.push(check_body(
        "PATCH /tags/{slug}",
        bytes,
        TagFields::into_update,
    ));
    outcomes.push(check_body(
        "POST /tags/{slug}/merge",
        bytes,
        |body: MergeRequest| Ok(body.into),
    ));
}

/// The body of `POST /tags`, named for the OpenAPI document.
type NewTagBody = Create<TagFields>;

impl CreateBody for TagFields {
    const REQUIRED: &'static str = "name";
    const SCHEMA_NAME: &'static str = "NewTag";

    fn has_required(&self) -> bool {
        !self.name.is_absent()
    }
}

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
async fn create_tag(
    db: web::Data<Db>,
    _: Admin,
    body: JsonBody<NewTagBody>,
) -> Result<HttpResponse, ApiError> {
    let new_tag = body.into_inner().0.into_new_tag()?;
    let tag = db.run(move |conn| tags::create(conn, new_tag)).await?;
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
async fn update_tag(
    db: web::Data<Db>,
    _: Admin,
    slug: web::Path<String>,
    body: JsonBody<TagFields>,
) -> Result<HttpResponse, ApiError> {
    let update = body.into_inner().into_update()?;
    let slug = slug.into_inner();
    let tag = db
        .run(move |conn| tags::update(conn, &slug, update))
        .await?;
    Ok(HttpResponse::Ok().json(views::Tag::new(tag, true)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteParams {
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
async fn delete_tag(
    db: web::Data<Db>,
    _: Admin,
    slug: web::Path<String>,
    params: QueryParams<DeleteParams>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let force = params.0.force;
    db.run(move |conn| tags::delete(conn, &slug, force)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"into": "rust"}))]
pub struct MergeRequest {
    /// The slug of the tag that takes the posts.
    #[serde(default)]
    #[validate(custom(function = "rules::required_slug"))]
    #[schema(schema_with = schemas::slug_schema, required = true)]
    into: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for MergeRequest {
    const FIELDS: &'static [&'static str] = &["into"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
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
async fn merge_tag(
    db: web::Data<Db>,
    _: Admin,
    slug: web::Path<String>,
    body: JsonBody<MergeRequest>,
) -> Result<HttpResponse, ApiError> {
    let into = body.into_inner().into.value().unwrap_or_default();
    let source = slug.into_inner();
    let target = db
        .run(move |conn| tags::merge(conn, &source, &into))
        .await?;
    Ok(HttpResponse::Ok().json(views::Tag::new(target, true)))
}
