//! Atom feeds of visible posts, outside `/api/v1`: every post, a tag's, an
//! author's. Always as the public sees them, whoever asks; conditional and
//! cached like every public read.

mod atom;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;

pub use atom::{FeedSettings, safe_html};

use super::delivery::{Delivery, Fingerprint, checked_on_arrival};
use super::problem::ApiError;
use super::redirects;
use super::routes::{Endpoint, public_read};
use super::views::Time;
use crate::cache::{Cache, Fresh};
use crate::db::Database;
use crate::domain::audience::Audience;
use crate::domain::limits::FEED_ENTRIES;
use crate::domain::page::PageRequest;
use crate::models::PostWithTags;
use crate::services::authors::AuthorPage;
use crate::services::posts::{ListPosts, PostFilter};
use crate::services::tags::TagPage;
use crate::services::{ServiceError, purge_keys};
use atom::Channel;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        public_read("/feeds/posts.atom", posts_feed),
        public_read("/feeds/tags/{slug}.atom", tag_feed),
        public_read("/feeds/authors/{slug}.atom", author_feed),
    ]
}

const ATOM: &str = "application/atom+xml; charset=utf-8";

/// The first page of a feed: its newest entries.
const NEWEST: PageRequest = PageRequest {
    page: 1,
    per_page: FEED_ENTRIES,
};

/// The newest visible posts.
#[utoipa::path(
    get,
    path = "/feeds/posts.atom",
    tag = "feeds",
    security(()),
    responses(
        (status = 200, description = "An Atom 1.0 feed of the newest visible posts",
            content_type = "application/atom+xml", body = String),
        (status = 304, description = "Unchanged since the given ETag"),
    ),
)]
pub async fn posts_feed(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    settings: web::Data<FeedSettings>,
) -> Result<HttpResponse, ApiError> {
    let read = ListPosts {
        filter: PostFilter::default(),
        audience: Audience::Public,
        page: NEWEST,
    };
    let Fresh {
        answer: page,
        next_change,
    } = cache
        .read_fresh(&db, checked_on_arrival(&req), read)
        .await?;
    let channel = Channel {
        title: "Posts".into(),
        began: NaiveDateTime::default(),
    };
    let mut delivery = Delivery::new(&req, false, next_change);
    delivery.keys().add(purge_keys::POSTS);
    answer(&req, &settings, delivery, channel, &page.items)
}

/// A public tag's newest visible posts; a slug the tag had before answers
/// `301` to its feed now.
#[utoipa::path(
    get,
    path = "/feeds/tags/{slug}.atom",
    tag = "feeds",
    security(()),
    params(("slug" = String, Path, description = "The tag's slug", example = "rust")),
    responses(
        (status = 200, description = "An Atom 1.0 feed of the tag's newest visible posts",
            content_type = "application/atom+xml", body = String),
        (status = 301, description = "The tag had this slug before; `Location` is its feed now",
            headers(("Location" = String, description = "The tag's feed now"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 404, description = "No public tag has this slug"),
    ),
)]
pub async fn tag_feed(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    settings: web::Data<FeedSettings>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let read = TagPage {
        slug: slug.clone(),
        page: NEWEST,
        authenticated: false,
    };
    let Fresh {
        answer: (tag, page),
        next_change,
    } = match cache.read_fresh(&db, checked_on_arrival(&req), read).await {
        Err(ServiceError::NotFound(_)) => {
            let to = |now: &str| format!("/feeds/tags/{now}.atom");
            return redirects::to_moved_tag(&req, &db, slug, false, to).await;
        }
        found => found?,
    };
    let channel = Channel {
        title: tag.tag.name,
        began: tag.tag.created_at,
    };
    let mut delivery = Delivery::new(&req, false, next_change);
    delivery.keys().add(purge_keys::tag(tag.tag.id));
    answer(&req, &settings, delivery, channel, &page.items)
}

/// An author's newest visible posts.
#[utoipa::path(
    get,
    path = "/feeds/authors/{slug}.atom",
    tag = "feeds",
    security(()),
    params(("slug" = String, Path, description = "The user's slug", example = "ada-lovelace")),
    responses(
        (status = 200, description = "An Atom 1.0 feed of the author's newest visible posts",
            content_type = "application/atom+xml", body = String),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 404, description = "No such user, or none with a visible post"),
    ),
)]
pub async fn author_feed(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    settings: web::Data<FeedSettings>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let read = AuthorPage {
        slug: slug.into_inner(),
        authenticated: false,
        page: NEWEST,
    };
    let Fresh {
        answer: (author, page),
        next_change,
    } = cache
        .read_fresh(&db, checked_on_arrival(&req), read)
        .await?;
    let channel = Channel {
        title: author.author.name,
        began: NaiveDateTime::default(),
    };
    let mut delivery = Delivery::new(&req, false, next_change);
    delivery.keys().add(purge_keys::author(author.author.id));
    answer(&req, &settings, delivery, channel, &page.items)
}

/// The feed, tagged by what it is of and its entries' versions, so that a
/// `304` renders no Markdown.
fn answer(
    req: &HttpRequest,
    settings: &FeedSettings,
    mut delivery: Delivery<'_>,
    channel: Channel,
    posts: &[PostWithTags],
) -> Result<HttpResponse, ApiError> {
    delivery.keys().add(purge_keys::FEEDS).posts(posts);
    let began = Time(channel.began);
    let etag = Fingerprint::new(req.path(), false)
        .with(&(
            &channel.title,
            began,
            &settings.base_url,
            &settings.post_url_template,
        ))
        .with_posts(posts)
        .etag();
    delivery.try_tagged(etag, |mut ok| {
        let feed = atom::feed(settings, req.path(), channel, posts);
        let xml = feed
            .write_to(Vec::new())
            .map_err(|error| ApiError::Internal(format!("cannot write a feed: {error}")))?;
        Ok(ok.insert_header((header::CONTENT_TYPE, ATOM)).body(xml))
    })
}
