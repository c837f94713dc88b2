//! Authors, publicly: who has written visible posts, how many, and their
//! posts.

use actix_web::{HttpRequest, HttpResponse, web};

use super::auth::Caller;
use super::delivery::{Delivery, Fingerprint};
use super::extract::QueryParams;
use super::pages::{PostPageParams, UserPageParams, page_answer};
use super::problem::ApiError;
use super::routes::{Endpoint, public_read};
use super::views;
use crate::cache::{Cache, Fresh};
use crate::db::Database;
use crate::services::authors::{AuthorPage, GetAuthor, ListAuthors};
use crate::services::purge_keys;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        public_read("/api/v1/authors", list_authors),
        public_read("/api/v1/authors/{slug}", get_author),
        public_read("/api/v1/authors/{slug}/posts", author_posts),
    ]
}

/// The users with at least one visible post, with how many: most first,
/// then by name. The counts are exact, as tags' are.
#[utoipa::path(
    get,
    path = "/api/v1/authors",
    tag = "authors",
    security((), ("bearer" = [])),
    params(UserPageParams),
    responses((status = 200, description = "A page of authors", body = views::List<views::Author>,
            headers(
                ("X-Total-Count" = i64, description = "Everything that matches, on every page"),
                ("Link" = String, description = "The first, previous, next and last pages (RFC 8288)"),
            ))),
)]
pub async fn list_authors(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    params: QueryParams<UserPageParams>,
) -> Result<HttpResponse, ApiError> {
    let read = ListAuthors {
        page: params.0.request()?,
    };
    let Fresh {
        answer: authors,
        next_change,
    } = cache.read_fresh(&db, caller.checked, read).await?;
    let authenticated = caller.is_authenticated();
    let mut delivery = Delivery::new(&req, authenticated, next_change);
    delivery.keys().add(purge_keys::AUTHORS);
    for shown in &authors.items {
        delivery.keys().add(purge_keys::author(shown.author.id));
    }
    let list = views::List::new(authors, views::Author::from);
    let etag = Fingerprint::new("authors", authenticated)
        .with(&list)
        .etag();
    Ok(delivery.tagged(etag, |answer| page_answer(answer, &req, &list, &list)))
}

/// One author: anyone's once they have a visible post; any user's with a
/// token.
#[utoipa::path(
    get,
    path = "/api/v1/authors/{slug}",
    tag = "authors",
    security((), ("bearer" = [])),
    params(("slug" = String, Path, description = "The user's slug", example = "ada-lovelace")),
    responses(
        (status = 200, description = "The author", body = views::Author),
        (status = 404, description = "No such user, or none with a visible post"),
    ),
)]
pub async fn get_author(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let read = GetAuthor {
        slug: slug.into_inner(),
        authenticated: caller.is_authenticated(),
    };
    let Fresh {
        answer: author,
        next_change,
    } = cache.read_fresh(&db, caller.checked, read).await?;
    let authenticated = caller.is_authenticated();
    let mut delivery = Delivery::new(&req, authenticated, next_change);
    delivery.keys().add(purge_keys::author(author.author.id));
    let author = views::Author::from(author);
    let etag = Fingerprint::new("author", authenticated)
        .with(&author)
        .etag();
    Ok(delivery.tagged(etag, |mut answer| answer.json(author)))
}

/// An author's page: the author and their visible posts, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/authors/{slug}/posts",
    tag = "authors",
    security((), ("bearer" = [])),
    params(
        ("slug" = String, Path, description = "The user's slug", example = "ada-lovelace"),
        PostPageParams,
    ),
    responses(
        (status = 200, description = "The author and a page of their posts", body = views::AuthorPosts,
            headers(
                ("X-Total-Count" = i64, description = "Everything that matches, on every page"),
                ("Link" = String, description = "The first, previous, next and last pages (RFC 8288)"),
            )),
        (status = 404, description = "No such user, or none with a visible post"),
    ),
)]
pub async fn author_posts(
    req: HttpRequest,
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    caller: Caller,
    slug: web::Path<String>,
    params: QueryParams<PostPageParams>,
) -> Result<HttpResponse, ApiError> {
    let read = AuthorPage {
        slug: slug.into_inner(),
        authenticated: caller.is_authenticated(),
        page: params.0.request()?,
    };
    let Fresh {
        answer: (author, posts),
        next_change,
    } = cache.read_fresh(&db, caller.checked, read).await?;
    let authenticated = caller.is_authenticated();
    let mut delivery = Delivery::new(&req, authenticated, next_change);
    delivery
        .keys()
        .add(purge_keys::POSTS)
        .add(purge_keys::author(author.author.id))
        .posts(&posts.items);
    let author = views::Author::from(author);
    let etag = Fingerprint::new("author posts", authenticated)
        .with(&author)
        .with_page(&posts)
        .etag();
    Ok(delivery.tagged(etag, |answer| {
        let page = views::AuthorPosts {
            author,
            posts: views::List::of(&posts, |post| views::Post::new(post.clone(), authenticated)),
        };
        page_answer(answer, &req, &page.posts, &page)
    }))
}
