//! Reading posts: one by id or slug, and lists.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::conditional_post_response;
use crate::cache::{Cache, Fresh};
use crate::db::Database;
use crate::db::post_lists::StatusFilter;
use crate::db::posts::PostKey;
use crate::db::visibility::owner_of_scope;
use crate::domain::audience::Audience;
use crate::domain::limits::{
    MAX_AUTHOR_FILTERS, MAX_TAG_FILTERS, POST_PAGE, POST_SEARCH_MAX_CHARS,
};
use crate::domain::slug::is_valid_slug;
use crate::http::auth::Caller;
use crate::http::delivery::{Delivery, Fingerprint};
use crate::http::extract::{QueryParams, bad_query, given, page_request};
use crate::http::pages::page_answer;
use crate::http::problem::ApiError;
use crate::http::redirects;
use crate::http::{schemas, views};
use crate::services::posts::{GetPost, ListPosts, PostFilter, moved_post};
use crate::services::{ServiceError, purge_keys};

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
pub async fn get_post(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let key = PostKey::Id(id.into_inner());
    post_by_key(&req, &db, &cache, caller, key).await
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
        (status = 301, description = "The post had this slug before; `Location` is where it is now",
            headers(("Location" = String, description = "The post's URL now"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 404, description = "No such post, or not visible to the caller"),
    ),
)]
pub async fn get_post_by_slug(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let key = PostKey::Slug(slug.clone());
    match post_by_key(&req, &db, &cache, caller, key).await {
        Err(ApiError::NotFound(_)) => to_moved_post(&req, &db, &cache, caller, slug).await,
        answered => answered,
    }
}

/// What a request for a slug no post it may see has answers: a redirect to
/// the post that last had it, when the caller sees that post; else 404.
async fn to_moved_post(
    req: &HttpRequest,
    db: &Database,
    cache: &Cache,
    caller: Caller,
    old_slug: String,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::from(ServiceError::NotFound("post"));
    let Some(id) = db.run(move |conn| moved_post(conn, &old_slug)).await? else {
        return Err(not_found());
    };
    let read = GetPost {
        key: PostKey::Id(id),
        scope: caller.post_scope(),
    };
    match cache.read(db, caller.checked, read).await {
        Ok(post) => Ok(redirects::to_post(req, &post.post.slug)),
        Err(ServiceError::NotFound(_)) => Err(not_found()),
        Err(error) => Err(error.into()),
    }
}

/// The post, or `304 Not Modified` when the client has it already.
async fn post_by_key(
    req: &HttpRequest,
    db: &Database,
    cache: &Cache,
    caller: Caller,
    key: PostKey,
) -> Result<HttpResponse, ApiError> {
    let read = GetPost {
        key,
        scope: caller.post_scope(),
    };
    let post = cache.read(db, caller.checked, read).await?;
    Ok(conditional_post_response(
        req,
        post,
        caller.is_authenticated(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Posts having every one of these tags (slugs).
    #[serde(default)]
    #[param(schema_with = schemas::tag_filter_schema, explode = true, style = Form)]
    tag: Vec<String>,
    /// Posts having any of these tags (slugs).
    #[serde(default)]
    #[param(schema_with = schemas::tag_filter_schema, explode = true, style = Form)]
    tag_any: Vec<String>,
    /// Posts having none of these tags (slugs); a slug no tag has excludes
    /// nothing.
    #[serde(default)]
    #[param(schema_with = schemas::tag_filter_schema, explode = true, style = Form)]
    tag_not: Vec<String>,
    /// Posts by any of these users (slugs).
    #[serde(default)]
    #[param(schema_with = schemas::author_filter_schema, explode = true, style = Form)]
    author: Vec<String>,
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

/// Parses list parameters, and which list they read. `status` other than
/// `published` needs a token; for contributors and authors it lists their
/// own posts that they see (a contributor's drafts, an author's posts).
fn post_filter(params: ListParams, caller: Caller) -> Result<(PostFilter, Audience), ApiError> {
    let tag_filters = [
        ("tag", &params.tag),
        ("tag_any", &params.tag_any),
        ("tag_not", &params.tag_not),
    ];
    for (name, slugs) in tag_filters {
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
    if params.author.len() > MAX_AUTHOR_FILTERS {
        return Err(bad_query(
            "author",
            format_args!("at most {MAX_AUTHOR_FILTERS} may be given"),
        ));
    }
    if let Some(bad) = params.author.iter().find(|slug| !is_valid_slug(slug)) {
        return Err(bad_query(
            "author",
            format_args!("`{bad}` is not a user's slug"),
        ));
    }
    let mut authors = params.author;
    authors.sort_unstable();
    authors.dedup();
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
        Some(name) => StatusFilter::named(name).ok_or_else(|| {
            bad_query(
                "status",
                format_args!("must be one of {}", StatusFilter::NAMES.join(", ")),
            )
        })?,
    };
    let mut audience = caller.audience();
    let mut owner = None;
    if params.status.is_some() && status != StatusFilter::Published {
        let Some(scope) = caller.post_scope() else {
            return Err(ApiError::Unauthorized {
                token_presented: false,
            });
        };
        owner = owner_of_scope(scope);
        audience = Audience::Admin;
    }
    let filter = PostFilter {
        all_tags: params.tag,
        any_tags: params.tag_any,
        none_tags: params.tag_not,
        title_contains,
        status,
        owner,
        authors,
    };
    Ok((filter, audience))
}

/// Posts, newest `published_at` first: visible ones for everyone, any with
/// the token.
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "posts",
    security((), ("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "A page of posts", body = views::List<views::Post>,
            headers(
                ("X-Total-Count" = i64, description = "Everything that matches, on every page"),
                ("Link" = String, description = "The first, previous, next and last pages (RFC 8288)"),
            ))),
)]
pub async fn list_posts(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    params: QueryParams<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.0;
    let page = page_request(params.page, params.per_page, POST_PAGE)?;
    let (filter, audience) = post_filter(params, caller)?;
    let read = ListPosts {
        filter,
        audience,
        page,
    };
    let Fresh {
        answer: found,
        next_change,
    } = cache.read_fresh(&db, caller.checked, read).await?;
    let authenticated = caller.is_authenticated();
    let etag = Fingerprint::new("posts", authenticated)
        .with_page(&found)
        .etag();
    let mut delivery = Delivery::new(&req, authenticated, next_change);
    delivery.keys().add(purge_keys::POSTS).posts(&found.items);
    Ok(delivery.tagged(etag, |answer| {
        let list = views::List::of(&found, |post| views::Post::new(post.clone(), authenticated));
        page_answer(answer, &req, &list, &list)
    }))
}
