//! Tag routes.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::auth::Caller;
use super::extract::{QueryParams, bad_query};
use super::problem::ApiError;
use super::{Db, page_request, views};
use crate::domain::tag_prefix_key;
use crate::services;
use crate::services::tags::{self, TagListQuery, TagSort};

/// Longest `q` prefix, in characters: no tag name is longer.
const MAX_PREFIX_CHARS: usize = crate::domain::TAG_NAME_MAX_CHARS;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tags").route(web::get().to(list_tags)))
        .service(web::resource("/tags/{slug}").route(web::get().to(get_tag)))
        .service(web::resource("/tags/{slug}/posts").route(web::get().to(tag_posts)));
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
