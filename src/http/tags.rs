//! Tag routes.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use validator::Validate;

use super::auth::{Admin, Caller};
use super::extract::{
    Create, CreateBody, JsonBody, QueryParams, RequestBody, UnknownFields, bad_query,
};
use super::problem::ApiError;
use super::rules;
use super::{Db, page_request, views};
use crate::domain::{Slug, TagName, tag_prefix_key};
use crate::patch::Patch;
use crate::services;
use crate::services::tags::{self, NewTag, TagListQuery, TagSort, TagUpdate};

/// Longest `q` prefix, in characters: no tag name is longer.
const MAX_PREFIX_CHARS: usize = crate::domain::TAG_NAME_MAX_CHARS;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tags")
            .route(web::get().to(list_tags))
            .route(web::post().to(create_tag)),
    )
    .service(
        web::resource("/tags/{slug}")
            .route(web::get().to(get_tag))
            .route(web::patch().to(update_tag))
            .route(web::delete().to(delete_tag)),
    )
    .service(web::resource("/tags/{slug}/posts").route(web::get().to(tag_posts)))
    .service(web::resource("/tags/{slug}/merge").route(web::post().to(merge_tag)));
}

#[derive(Debug, Deserialize)]
struct ListParams {
    sort: Option<String>,
    min_count: Option<i64>,
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn list_tags(
    db: web::Data<Db>,
    caller: Caller,
    params: QueryParams<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.0;
    let page = page_request(params.page, params.per_page, 50, 200)?;
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
        Some(q) if q.chars().count() > MAX_PREFIX_CHARS => {
            return Err(bad_query(
                "q",
                format_args!("must be at most {MAX_PREFIX_CHARS} characters"),
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
        .run(move |conn| Ok(tags::list(conn, &query, page, services::now())?))
        .await?;
    let admin = caller.is_admin();
    Ok(HttpResponse::Ok().json(views::List::new(found, |tag| views::Tag::new(tag, admin))))
}

async fn get_tag(
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let tag = db
        .run(move |conn| tags::get_by_slug(conn, &slug, services::now()))
        .await?;
    Ok(HttpResponse::Ok().json(views::Tag::new(tag, caller.is_admin())))
}

#[derive(Debug, Deserialize)]
struct PageParams {
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The public tag page: visible posts only, with or without a token.
async fn tag_posts(
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<String>,
    params: QueryParams<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(params.0.page, params.0.per_page, 20, 100)?;
    let slug = slug.into_inner();
    let (tag, posts) = db
        .run(move |conn| tags::posts_of_tag(conn, &slug, page, services::now()))
        .await?;
    Ok(HttpResponse::Ok().json(views::TagPosts {
        tag: views::Tag::new(tag, caller.is_admin()),
        posts: views::List::new(posts, views::Post::from),
    }))
}

/// The fields of a tag in a request body; `POST` wraps it to require a name.
#[derive(Debug, Deserialize, Validate)]
pub struct TagFields {
    #[serde(default)]
    #[validate(custom(function = "rules::tag_name_field"))]
    name: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::slug"))]
    slug: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::description"))]
    description: Patch<String>,
    #[serde(flatten)]
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
}

impl CreateBody for TagFields {
    const REQUIRED: &'static str = "name";

    fn has_required(&self) -> bool {
        !self.name.is_absent()
    }
}

async fn create_tag(
    db: web::Data<Db>,
    _: Admin,
    body: JsonBody<Create<TagFields>>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_inner().0;
    let new_tag = NewTag {
        name: fields
            .name()?
            .ok_or_else(|| ApiError::field("name", "is required"))?,
        slug: fields.slug()?,
        description: fields.description.value(),
    };
    let tag = db.run(move |conn| tags::create(conn, new_tag)).await?;
    let location = format!("/api/v1/tags/{}", tag.tag.slug);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(views::Tag::new(tag, true)))
}

async fn update_tag(
    db: web::Data<Db>,
    _: Admin,
    slug: web::Path<String>,
    body: JsonBody<TagFields>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_inner();
    let update = TagUpdate {
        name: fields.name()?,
        slug: fields.slug()?,
        description: fields.description,
    };
    let slug = slug.into_inner();
    let tag = db
        .run(move |conn| tags::update(conn, &slug, update))
        .await?;
    Ok(HttpResponse::Ok().json(views::Tag::new(tag, true)))
}

#[derive(Debug, Deserialize)]
struct DeleteParams {
    #[serde(default)]
    force: bool,
}

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

#[derive(Debug, Deserialize, Validate)]
pub struct MergeRequest {
    #[serde(default)]
    #[validate(custom(function = "rules::required_slug"))]
    into: Patch<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

impl RequestBody for MergeRequest {
    const FIELDS: &'static [&'static str] = &["into"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

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
