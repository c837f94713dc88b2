//! Post routes: thin handlers that parse, call the service, and shape the
//! response.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use validator::{Validate, ValidationErrors};

use super::auth::{Admin, Caller};
use super::extract::{
    Create, CreateBody, JsonBody, QueryParams, RequestBody, UnknownFields, bad_query,
};
use super::problem::ApiError;
use super::rules::{self, TagNameInput};
use super::{Db, page_request, views};
use crate::domain::{PostTitle, Slug, is_valid_slug};
use crate::models::PostStatus;
use crate::patch::Patch;
use crate::services;
use crate::services::posts::{
    self, BulkAction, ExpectedVersion, NewPost, PostFilter, PostKey, PostUpdate, PostWithTags,
    StatusFilter,
};

/// Most `tag` (or `tag_any`) filters one request may give.
const MAX_TAG_FILTERS: usize = 10;
/// Longest `q` search, in characters.
const MAX_SEARCH_CHARS: usize = 200;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/posts")
            .route(web::get().to(list_posts))
            .route(web::post().to(create_post)),
    )
    // Before `/posts/{id}`, which would take `bulk` for an id.
    .service(web::resource("/posts/bulk").route(web::post().to(bulk)))
    .service(web::resource("/posts/slug/{slug}").route(web::get().to(get_post_by_slug)))
    .service(
        web::resource("/posts/{id}")
            .route(web::get().to(get_post))
            .route(web::patch().to(update_post))
            .route(web::delete().to(delete_post)),
    )
    .service(web::resource("/posts/{id}/restore").route(web::post().to(restore_post)))
    .service(web::resource("/posts/{id}/tags").route(web::post().to(add_tags)))
    .service(web::resource("/posts/{id}/tags/{tag_slug}").route(web::delete().to(remove_tag)));
}

/// The fields of a post in a request body. Every member may be left out, as
/// in `PATCH`; `POST` wraps it to require a title.
#[derive(Debug, Deserialize, Validate)]
pub struct PostFields {
    #[serde(default)]
    #[validate(custom(function = "rules::title"))]
    title: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::not_null"))]
    body: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::excerpt"))]
    excerpt: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::slug"))]
    slug: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::status"))]
    status: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::published_at"))]
    published_at: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::tag_list"), nested)]
    tags: Patch<Vec<TagNameInput>>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

impl RequestBody for PostFields {
    const FIELDS: &'static [&'static str] = &[
        "title",
        "body",
        "excerpt",
        "slug",
        "status",
        "published_at",
        "tags",
    ];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

impl PostFields {
    fn into_update(self) -> Result<PostUpdate, ApiError> {
        Ok(PostUpdate {
            title: self
                .title
                .value()
                .map(|title| parse_title(&title))
                .transpose()?,
            body: self.body.value(),
            slug: parse_slug(self.slug)?,
            status: parse_status(self.status),
            excerpt: self.excerpt,
            published_at: parse_time(self.published_at)?,
            tags: self.tags.value().map(rules::parse_tag_names),
        })
    }
}

impl CreateBody for PostFields {
    const REQUIRED: &'static str = "title";

    fn has_required(&self) -> bool {
        !self.title.is_absent()
    }
}

impl PostFields {
    /// For `POST /posts`, once the title is known to be there.
    fn into_new_post(self) -> Result<NewPost, ApiError> {
        Ok(NewPost {
            title: parse_title(&self.title.value().unwrap_or_default())?,
            body: self.body.value().unwrap_or_default(),
            excerpt: self.excerpt.value(),
            slug: parse_slug(self.slug)?,
            status: parse_status(self.status).unwrap_or(PostStatus::Draft),
            published_at: parse_time(self.published_at)?.value(),
            tags: rules::parse_tag_names(self.tags.value().unwrap_or_default()),
        })
    }
}

fn parse_title(title: &str) -> Result<PostTitle, ApiError> {
    PostTitle::parse(title).map_err(|message| ApiError::field("title", message))
}

fn parse_slug(slug: Patch<String>) -> Result<Option<Slug>, ApiError> {
    slug.value()
        .map(|slug| Slug::parse(&slug).map_err(|message| ApiError::field("slug", message)))
        .transpose()
}

fn parse_status(status: Patch<String>) -> Option<PostStatus> {
    status.value().and_then(|status| PostStatus::parse(&status))
}

fn parse_time(time: Patch<String>) -> Result<Patch<chrono::NaiveDateTime>, ApiError> {
    Ok(match time {
        Patch::Value(raw) => Patch::Value(
            rules::parse_time(&raw).map_err(|message| ApiError::field("published_at", message))?,
        ),
        Patch::Null => Patch::Null,
        Patch::Absent => Patch::Absent,
    })
}

/// The response for one post, with its ETag.
fn post_response(status: StatusCode, post: PostWithTags) -> HttpResponse {
    let etag = views::Post::etag(&post.post);
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag))
        .json(views::Post::from(post))
}

/// `304 Not Modified` when the client's `If-None-Match` names the current
/// representation; otherwise the post.
fn conditional_post_response(req: &HttpRequest, post: PostWithTags) -> HttpResponse {
    let etag = views::Post::etag(&post.post);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == "*" || tag == etag)
        });
    if unchanged {
        HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish()
    } else {
        post_response(StatusCode::OK, post)
    }
}

/// What the `If-Match` header asks for; entity tags that cannot be this
/// service's (weak ones, or not a version) match nothing.
fn expected_version(req: &HttpRequest) -> Result<Option<ExpectedVersion>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::BadRequest("the If-Match header is not readable text".into()))?;
    if value.trim() == "*" {
        return Ok(Some(ExpectedVersion::Any));
    }
    let versions = value
        .split(',')
        .filter_map(|tag| {
            tag.trim()
                .strip_prefix('"')?
                .strip_suffix('"')?
                .parse()
                .ok()
        })
        .collect();
    Ok(Some(ExpectedVersion::OneOf(versions)))
}

async fn create_post(
    db: web::Data<Db>,
    _: Admin,
    body: JsonBody<Create<PostFields>>,
) -> Result<HttpResponse, ApiError> {
    let new_post = body.into_inner().0.into_new_post()?;
    let post = db.run(move |conn| posts::create(conn, new_post)).await?;
    let location = format!("/api/v1/posts/{}", post.post.id);
    let mut response = post_response(StatusCode::CREATED, post);
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn get_post(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let key = PostKey::Id(id.into_inner());
    let post = db.run(move |conn| posts::get(conn, &key, caller.0)).await?;
    Ok(conditional_post_response(&req, post))
}

async fn get_post_by_slug(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = PostKey::Slug(slug.into_inner());
    let post = db.run(move |conn| posts::get(conn, &key, caller.0)).await?;
    Ok(conditional_post_response(&req, post))
}

async fn update_post(
    req: HttpRequest,
    db: web::Data<Db>,
    _: Admin,
    id: web::Path<i64>,
    body: JsonBody<PostFields>,
) -> Result<HttpResponse, ApiError> {
    let expected = expected_version(&req)?;
    let update = body.into_inner().into_update()?;
    let id = id.into_inner();
    let post = db
        .run(move |conn| posts::update(conn, id, update, expected.as_ref()))
        .await?;
    Ok(post_response(StatusCode::OK, post))
}

#[derive(Debug, Deserialize)]
struct DeleteParams {
    #[serde(default)]
    permanent: bool,
}

async fn delete_post(
    db: web::Data<Db>,
    _: Admin,
    id: web::Path<i64>,
    params: QueryParams<DeleteParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if params.0.permanent {
        db.run(move |conn| posts::delete_permanently(conn, id))
            .await?;
    } else {
        db.run(move |conn| posts::trash(conn, id)).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

async fn restore_post(
    db: web::Data<Db>,
    _: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let post = db.run(move |conn| posts::restore(conn, id)).await?;
    Ok(post_response(StatusCode::OK, post))
}

#[derive(Debug, Deserialize)]
struct ListParams {
    #[serde(default)]
    tag: Vec<String>,
    #[serde(default)]
    tag_any: Vec<String>,
    q: Option<String>,
    status: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Parses list parameters; `status` other than `published` needs the token.
fn post_filter(params: ListParams, caller: Caller) -> Result<PostFilter, ApiError> {
    for (name, slugs) in [("tag", &params.tag), ("tag_any", &params.tag_any)] {
        if slugs.len() > MAX_TAG_FILTERS {
            return Err(bad_query(
                name,
                format_args!("at most {MAX_TAG_FILTERS} may be given"),
            ));
        }
        if let Some(bad) = slugs.iter().find(|slug| !is_valid_slug(slug)) {
            return Err(bad_query(name, format_args!("`{bad}` is not a tag slug")));
        }
    }
    let title_contains = match params.q {
        Some(q) if q.chars().count() > MAX_SEARCH_CHARS => {
            return Err(bad_query(
                "q",
                format_args!("must be at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        Some(q) if !q.trim().is_empty() => Some(q.to_lowercase()),
        _ => None,
    };
    let status = match params.status.as_deref() {
        None => StatusFilter::All,
        Some("all") => StatusFilter::All,
        Some("draft") => StatusFilter::Draft,
        Some("published") => StatusFilter::Published,
        Some("scheduled") => StatusFilter::Scheduled,
        Some("deleted") => StatusFilter::Deleted,
        Some(_) => {
            return Err(bad_query(
                "status",
                "must be one of draft, published, scheduled, deleted, all",
            ));
        }
    };
    if !caller.is_admin() && params.status.is_some() && status != StatusFilter::Published {
        return Err(ApiError::Unauthorized {
            token_presented: false,
        });
    }
    Ok(PostFilter {
        all_tags: params.tag,
        any_tags: params.tag_any,
        title_contains,
        status,
    })
}

async fn list_posts(
    db: web::Data<Db>,
    caller: Caller,
    params: QueryParams<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.0;
    let page = page_request(params.page, params.per_page, 20, 100)?;
    let filter = post_filter(params, caller)?;
    let audience = caller.0;
    let found = db
        .run(move |conn| posts::list(conn, &filter, audience, page, services::now()))
        .await?;
    Ok(HttpResponse::Ok().json(views::List::new(found, views::Post::from)))
}

#[derive(Debug, Deserialize, Validate)]
pub struct AddTagsRequest {
    #[serde(default)]
    #[validate(custom(function = "rules::required_tag_list"), nested)]
    tags: Patch<Vec<TagNameInput>>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

impl RequestBody for AddTagsRequest {
    const FIELDS: &'static [&'static str] = &["tags"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

async fn add_tags(
    db: web::Data<Db>,
    _: Admin,
    id: web::Path<i64>,
    body: JsonBody<AddTagsRequest>,
) -> Result<HttpResponse, ApiError> {
    let names = rules::parse_tag_names(body.into_inner().tags.value().unwrap_or_default());
    let id = id.into_inner();
    let post = db
        .run(move |conn| posts::add_tags(conn, id, &names))
        .await?;
    Ok(post_response(StatusCode::OK, post))
}

async fn remove_tag(
    db: web::Data<Db>,
    _: Admin,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, tag_slug) = path.into_inner();
    let post = db
        .run(move |conn| posts::remove_tag(conn, id, &tag_slug))
        .await?;
    Ok(post_response(StatusCode::OK, post))
}

#[derive(Debug, Deserialize, Validate)]
pub struct BulkFields {
    #[serde(default)]
    #[validate(custom(function = "rules::bulk_ids"))]
    ids: Patch<Vec<i64>>,
    #[serde(default)]
    #[validate(custom(function = "rules::bulk_action"))]
    action: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::tag_list"), nested)]
    tags: Patch<Vec<TagNameInput>>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

/// `POST /posts/bulk`: the fields, with `tags` given exactly when the
/// action takes them.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct BulkRequest(BulkFields);

impl Validate for BulkRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = self.0.validate().err().unwrap_or_default();
        let takes_tags = match &self.0.action {
            Patch::Value(action) => rules::BULK_ACTIONS
                .iter()
                .find(|(name, _)| name == action)
                .map(|(_, takes_tags)| *takes_tags),
            _ => None,
        };
        match (takes_tags, &self.0.tags) {
            (Some(true), Patch::Absent) => errors.add(
                "tags",
                validator::ValidationError::new("required")
                    .with_message("is required for this action".into()),
            ),
            (Some(false), Patch::Value(_)) => errors.add(
                "tags",
                validator::ValidationError::new("unexpected")
                    .with_message("is only for add_tags and remove_tags".into()),
            ),
            _ => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl RequestBody for BulkRequest {
    const FIELDS: &'static [&'static str] = &["ids", "action", "tags"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.0.unknown
    }
}

impl BulkRequest {
    fn into_action(self) -> Result<(Vec<i64>, BulkAction), ApiError> {
        let BulkFields {
            ids, action, tags, ..
        } = self.0;
        let names = || rules::parse_tag_names(tags.clone().value().unwrap_or_default());
        let action = match action.value().as_deref() {
            Some("publish") => BulkAction::Publish,
            Some("unpublish") => BulkAction::Unpublish,
            Some("delete") => BulkAction::Delete,
            Some("restore") => BulkAction::Restore,
            Some("add_tags") => BulkAction::AddTags(names()),
            Some("remove_tags") => BulkAction::RemoveTags(names()),
            _ => return Err(ApiError::field("action", "is not a bulk action")),
        };
        Ok((ids.value().unwrap_or_default(), action))
    }
}

async fn bulk(
    db: web::Data<Db>,
    _: Admin,
    body: JsonBody<BulkRequest>,
) -> Result<HttpResponse, ApiError> {
    let (ids, action) = body.into_inner().into_action()?;
    let outcome = db.run(move |conn| posts::bulk(conn, &ids, &action)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "matched": outcome.matched,
        "updated": outcome.updated,
    })))
}
