//! Post routes: thin handlers that parse, call the service, and shape the
//! response.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationErrors};

use super::auth::{Admin, Caller};
use super::extract::{
    BodyCheck, Create, CreateBody, JsonBody, QueryParams, RequestBody, UnknownFields, bad_query,
    check_body, given,
};
use super::problem::ApiError;
use super::rules::{self, TagNameInput};
use super::schemas;
use super::{Db, Endpoint, endpoint, page_request, views};
use crate::domain::limits::{MAX_TAG_FILTERS, POST_PAGE, POST_SEARCH_MAX_CHARS};
use crate::domain::patch::Patch;
use crate::domain::slug::{Slug, is_valid_slug};
use crate::domain::text::PostTitle;
use crate::domain::time;
use crate::models::PostStatus;
use crate::services::posts::{
    self, BulkAction, ExpectedVersion, NewPost, PostFilter, PostKey, PostUpdate, PostWithTags,
    StatusFilter,
};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint(Method::GET, "/api/v1/posts", list_posts),
        endpoint(Method::POST, "/api/v1/posts", create_post),
        // Before `/posts/{id}`, which would take `bulk` for an id.
        endpoint(Method::POST, "/api/v1/posts/bulk", bulk),
        endpoint(Method::GET, "/api/v1/posts/slug/{slug}", get_post_by_slug),
        endpoint(Method::GET, "/api/v1/posts/{id}", get_post),
        endpoint(Method::PATCH, "/api/v1/posts/{id}", update_post),
        endpoint(Method::DELETE, "/api/v1/posts/{id}", delete_post),
        endpoint(Method::POST, "/api/v1/posts/{id}/restore", restore_post),
        endpoint(Method::POST, "/api/v1/posts/{id}/tags", add_tags),
        endpoint(
            Method::DELETE,
            "/api/v1/posts/{id}/tags/{tag_slug}",
            remove_tag,
        ),
    ]
}

/// The fields of a post in a request body. Every member may be left out, as
/// in `PATCH`; `POST` wraps it to require a title.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = PostChanges)]
pub struct PostFields {
    #[serde(default)]
    #[validate(custom(function = "rules::title"))]
    #[schema(schema_with = schemas::title_schema)]
    title: Patch<String>,
    /// Markdown; bounded by the request size limit.
    #[serde(default)]
    #[validate(custom(function = "rules::body"))]
    #[schema(value_type = String)]
    body: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::excerpt"))]
    #[schema(schema_with = schemas::excerpt_schema)]
    excerpt: Patch<String>,
    /// Generated from the title when not given on create; a title change
    /// never changes it.
    #[serde(default)]
    #[validate(custom(function = "rules::slug"))]
    #[schema(schema_with = schemas::slug_schema)]
    slug: Patch<String>,
    /// `draft` (the default on create) or `published`; publishing a post
    /// with no `published_at` dates it now.
    #[serde(default)]
    #[validate(custom(function = "rules::status"))]
    #[schema(schema_with = schemas::post_status_schema)]
    status: Patch<String>,
    /// RFC 3339; a future time with `published` schedules the post. `null`
    /// clears it.
    #[serde(default)]
    #[validate(custom(function = "rules::published_at"))]
    #[schema(value_type = Option<String>, format = DateTime)]
    published_at: Patch<String>,
    /// Tag names, got or created; the list replaces the post's tags in this
    /// order, `[]` removes them all. Never `null`. At most
    /// [`MAX_TAGS_PER_POST`](crate::domain::limits::MAX_TAGS_PER_POST)
    /// distinct names.
    #[serde(default)]
    #[validate(custom(function = "rules::tag_list"), nested)]
    #[schema(schema_with = schemas::tag_names_schema)]
    tags: Patch<Vec<TagNameInput>>,
    #[serde(flatten)]
    #[schema(ignore)]
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

/// The body of `POST /posts`, named for the OpenAPI document.
type NewPostBody = Create<PostFields>;

impl CreateBody for PostFields {
    const REQUIRED: &'static str = "title";
    const SCHEMA_NAME: &'static str = "NewPost";

    fn has_required(&self) -> bool {
        !self.title.is_absent()
    }
}

/// Each post body parsed from the same bytes, down to domain values.
pub(super) fn check_bodies(bytes: &[u8], outcomes: &mut Vec<BodyCheck>) {
    outcomes.push(check_body("POST /posts", bytes, |body: NewPostBody| {
        body.0.into_new_post()
    }));
    outcomes.push(check_body(
        "PATCH /posts/{id}",
        bytes,
        PostFields::into_update,
    ));
    outcomes.push(check_body(
        "POST /posts/{id}/tags",
        bytes,
        |body: AddTagsRequest| {
            Ok(rules::parse_tag_names(
                body.tags.value().unwrap_or_default(),
            ))
        },
    ));
    outcomes.push(check_body(
        "POST /posts/bulk",
        bytes,
        BulkRequest::into_action,
    ));
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
            time::parse_time(&raw).map_err(|message| ApiError::field("published_at", message))?,
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
async fn create_post(
    db: web::Data<Db>,
    _: Admin,
    body: JsonBody<NewPostBody>,
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

/// One post by id: visible posts for everyone; any post, trashed ones
/// included, with the token.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}",
    tag = "posts",
    security((), ("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The post's id", example = 1),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response"),
    ),
    responses(
        (status = 200, description = "The post", body = views::Post,
            headers(("ETag" = String, description = "The post's version"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 404, description = "No such post, or not visible to the caller"),
    ),
)]
async fn get_post(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let key = PostKey::Id(id.into_inner());
    let post = db
        .run_checked(move |reader, checked, now| posts::get(reader, checked, &key, caller.0, now))
        .await?;
    Ok(conditional_post_response(&req, post))
}

/// One post by slug, with the same visibility as by id.
#[utoipa::path(
    get,
    path = "/api/v1/posts/slug/{slug}",
    tag = "posts",
    security((), ("bearer" = [])),
    params(
        ("slug" = String, Path, description = "The post's slug", example = "hello-rust"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response"),
    ),
    responses(
        (status = 200, description = "The post", body = views::Post,
            headers(("ETag" = String, description = "The post's version"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 404, description = "No such post, or not visible to the caller"),
    ),
)]
async fn get_post_by_slug(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = PostKey::Slug(slug.into_inner());
    let post = db
        .run_checked(move |reader, checked, now| posts::get(reader, checked, &key, caller.0, now))
        .await?;
    Ok(conditional_post_response(&req, post))
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
        (status = 404, description = "No such post"),
        (status = 409, description = "The slug is taken"),
        (status = 412, description = "`If-Match` does not match the post's ETag"),
    ),
)]
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeleteParams {
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
        (status = 404, description = "No such post"),
    ),
)]
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

/// Takes a post out of the trash.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/restore",
    tag = "posts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The post's id", example = 1)),
    responses(
        (status = 200, description = "The restored post", body = views::Post),
        (status = 404, description = "No such post"),
    ),
)]
async fn restore_post(
    db: web::Data<Db>,
    _: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let post = db.run(move |conn| posts::restore(conn, id)).await?;
    Ok(post_response(StatusCode::OK, post))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Posts having every one of these tags (slugs).
    #[serde(default)]
    #[param(schema_with = schemas::tag_filter_schema, explode = true, style = Form)]
    tag: Vec<String>,
    /// Posts having any of these tags (slugs).
    #[serde(default)]
    #[param(schema_with = schemas::tag_filter_schema, explode = true, style = Form)]
    tag_any: Vec<String>,
    #[param(schema_with = schemas::post_search_schema)]
    q: Option<String>,
    /// `draft`, `scheduled`, `deleted` or `all` (the default: not deleted)
    /// need the token; `published` means visible now.
    #[param(schema_with = schemas::post_status_filter_schema)]
    status: Option<String>,
    /// From 1.
    #[param(minimum = 1, example = 1)]
    #[serde(default, deserialize_with = "given")]
    page: Option<u32>,
    #[param(schema_with = schemas::posts_per_page_schema)]
    #[serde(default, deserialize_with = "given")]
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
        Some(q) if q.chars().count() > POST_SEARCH_MAX_CHARS => {
            return Err(bad_query(
                "q",
                format_args!("must be at most {POST_SEARCH_MAX_CHARS} characters"),
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

/// Posts, newest `published_at` first: visible ones for everyone, any with
/// the token.
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "posts",
    security((), ("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "A page of posts", body = views::List<views::Post>)),
)]
async fn list_posts(
    db: web::Data<Db>,
    caller: Caller,
    params: QueryParams<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.0;
    let page = page_request(params.page, params.per_page, POST_PAGE)?;
    let filter = post_filter(params, caller)?;
    let audience = caller.0;
    let found = db
        .run_counted(move |reader, counts, now| {
            posts::list(reader, counts, &filter, audience, page, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(views::List::new(found, views::Post::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"tags": ["Rust", "Web"]}))]
pub struct AddTagsRequest {
    /// Tag names to get or create and attach after the post's own.
    #[serde(default)]
    #[validate(custom(function = "rules::required_tag_list"), nested)]
    #[schema(schema_with = schemas::tag_names_schema, required = true)]
    tags: Patch<Vec<TagNameInput>>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for AddTagsRequest {
    const FIELDS: &'static [&'static str] = &["tags"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

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
        (status = 404, description = "No such post"),
    ),
)]
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(
    as = BulkRequest,
    example = json!({"ids": [1, 2, 3], "action": "add_tags", "tags": ["Rust"]})
)]
pub struct BulkFields {
    #[serde(default)]
    #[validate(custom(function = "rules::bulk_ids"))]
    #[schema(schema_with = schemas::bulk_ids_schema, required = true)]
    ids: Patch<Vec<i64>>,
    #[serde(default)]
    #[validate(custom(function = "rules::bulk_action"))]
    #[schema(schema_with = schemas::bulk_action_schema, required = true)]
    action: Patch<String>,
    /// Tag names: required by `add_tags` and `remove_tags`, refused by the
    /// others.
    #[serde(default)]
    #[validate(custom(function = "rules::tag_list"), nested)]
    #[schema(schema_with = schemas::tag_names_schema)]
    tags: Patch<Vec<TagNameInput>>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

/// What a bulk action did.
#[derive(Debug, serde::Serialize, ToSchema)]
#[schema(example = json!({"matched": 3, "updated": 2}))]
pub struct BulkReport {
    /// Ids that name a post.
    matched: usize,
    /// Posts whose state changed.
    updated: usize,
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
            (Some(false), Patch::Value(_)) => {
                // Whatever is wrong inside the list matters less than that
                // the action takes none; `add` would also refuse to put a
                // field error beside the list's per-item errors.
                errors.errors_mut().remove("tags");
                errors.add(
                    "tags",
                    validator::ValidationError::new("unexpected")
                        .with_message("is only for add_tags and remove_tags".into()),
                );
            }
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

/// One action on many posts, in one transaction and one statement.
#[utoipa::path(
    post,
    path = "/api/v1/posts/bulk",
    tag = "posts",
    security(("bearer" = [])),
    request_body = BulkFields,
    responses((status = 200, description = "What the action did", body = BulkReport)),
)]
async fn bulk(
    db: web::Data<Db>,
    _: Admin,
    body: JsonBody<BulkRequest>,
) -> Result<HttpResponse, ApiError> {
    let (ids, action) = body.into_inner().into_action()?;
    let outcome = db.run(move |conn| posts::bulk(conn, &ids, &action)).await?;
    Ok(HttpResponse::Ok().json(BulkReport {
        matched: outcome.matched,
        updated: outcome.updated,
    }))
}
