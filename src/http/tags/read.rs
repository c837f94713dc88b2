//! Reading tags: lists, one tag, and tag pages.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::cache::{Cache, Fresh, TagListQuery, TagSort};
use crate::db::Database;
use crate::domain::limits::{TAG_PAGE, TAG_PREFIX_MAX_CHARS};
use crate::domain::tag_name::tag_prefix_key;
use crate::http::auth::Caller;
use crate::http::delivery::{Delivery, Fingerprint};
use crate::http::extract::{QueryParams, bad_query, given, page_request};
use crate::http::pages::{PostPageParams, page_answer};
use crate::http::problem::ApiError;
use crate::http::redirects;
use crate::http::{schemas, views};
use crate::services::tags::{GetTag, ListTags, TagPage};
use crate::services::{ServiceError, purge_keys};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
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
    responses((status = 200, description = "A page of tags", body = views::List<views::Tag>,
            headers(
                ("X-Total-Count" = i64, description = "Everything that matches, on every page"),
                ("Link" = String, description = "The first, previous, next and last pages (RFC 8288)"),
            ))),
)]
pub async fn list_tags(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    params: QueryParams<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.0;
    let page = page_request(params.page, params.per_page, TAG_PAGE)?;
    let sort = match params.sort.as_deref() {
        None => TagSort::Count,
        Some(name) => TagSort::named(name).ok_or_else(|| {
            bad_query(
                "sort",
                format_args!("must be one of {}", TagSort::NAMES.join(", ")),
            )
        })?,
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
        authenticated: caller.is_authenticated(),
    };
    let Fresh {
        answer: found,
        next_change,
    } = cache
        .read_fresh(&db, caller.checked, ListTags { query, page })
        .await?;
    let admin = caller.is_authenticated();
    let mut delivery = Delivery::new(&req, admin, next_change);
    delivery.keys().add(purge_keys::TAGS);
    for shown in &found.items {
        delivery.keys().add(purge_keys::tag(shown.tag.id));
    }
    let list = views::List::new(found, |tag| views::Tag::new(tag, admin));
    let etag = Fingerprint::new("tags", admin).with(&list).etag();
    Ok(delivery.tagged(etag, |answer| page_answer(answer, &req, &list, &list)))
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
        (status = 301, description = "The tag had this slug before; `Location` is where it is now",
            headers(("Location" = String, description = "The tag's URL now"))),
        (status = 404, description = "No such tag"),
    ),
)]
pub async fn get_tag(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let authenticated = caller.is_authenticated();
    let read = GetTag {
        slug: slug.clone(),
        authenticated,
    };
    let Fresh {
        answer: tag,
        next_change,
    } = match cache.read_fresh(&db, caller.checked, read).await {
        Err(ServiceError::NotFound(_)) => {
            let to = |now: &str| format!("/api/v1/tags/{now}");
            return redirects::to_moved_tag(&req, &db, slug, authenticated, to).await;
        }
        found => found?,
    };
    let mut delivery = Delivery::new(&req, authenticated, next_change);
    delivery.keys().add(purge_keys::tag(tag.tag.id));
    let tag = views::Tag::new(tag, authenticated);
    let etag = Fingerprint::new("tag", authenticated).with(&tag).etag();
    Ok(delivery.tagged(etag, |mut answer| answer.json(tag)))
}

/// The public tag page: the tag and its visible posts, newest first, with
/// or without a token.
#[utoipa::path(
    get,
    path = "/api/v1/tags/{slug}/posts",
    tag = "tags",
    security((), ("bearer" = [])),
    params(("slug" = String, Path, description = "The tag's slug", example = "rust"), PostPageParams),
    responses(
        (status = 200, description = "The tag and a page of its posts", body = views::TagPosts,
            headers(
                ("X-Total-Count" = i64, description = "Everything that matches, on every page"),
                ("Link" = String, description = "The first, previous, next and last pages (RFC 8288)"),
            )),
        (status = 301, description = "The tag had this slug before; `Location` is its page now",
            headers(("Location" = String, description = "The tag page's URL now"))),
        (status = 404, description = "No such tag"),
    ),
)]
pub async fn tag_posts(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    slug: web::Path<String>,
    params: QueryParams<PostPageParams>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let authenticated = caller.is_authenticated();
    let read = TagPage {
        slug: slug.clone(),
        page: params.0.request()?,
        authenticated,
    };
    let Fresh {
        answer: (tag, posts),
        next_change,
    } = match cache.read_fresh(&db, caller.checked, read).await {
        Err(ServiceError::NotFound(_)) => {
            let to = |now: &str| format!("/api/v1/tags/{now}/posts");
            return redirects::to_moved_tag(&req, &db, slug, authenticated, to).await;
        }
        found => found?,
    };
    let mut delivery = Delivery::new(&req, authenticated, next_change);
    delivery
        .keys()
        .add(purge_keys::POSTS)
        .add(purge_keys::tag(tag.tag.id))
        .posts(&posts.items);
    let tag = views::Tag::new(tag, authenticated);
    let etag = Fingerprint::new("tag posts", authenticated)
        .with(&tag)
        .with_page(&posts)
        .etag();
    Ok(delivery.tagged(etag, |answer| {
        let page = views::TagPosts {
            tag,
            posts: views::List::of(&posts, |post| views::Post::new(post.clone(), authenticated)),
        };
        page_answer(answer, &req, &page.posts, &page)
    }))
}
