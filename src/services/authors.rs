//! Authors, publicly: every answer about who has how many visible posts
//! comes from the counts in memory, and an author's page of posts as a post
//! list's.

use std::convert::Infallible;

use crate::cache::PostPage;
use crate::cache::{CachedRead, CountedMemory, Lookup, PageKey};
use crate::db::DbConn;
use crate::db::post_lists::{MatchingPosts, StatusFilter};
use crate::domain::page::{Page, PageRequest};
use crate::models::AuthorWithCount;
use crate::services::posts::{PlannedPage, load_page};
use crate::services::{ServiceError, ServiceResult};

/// The users with at least one visible post, most first, then by name.
#[derive(Debug, Clone)]
pub struct ListAuthors {
    pub page: PageRequest,
}

impl CachedRead for ListAuthors {
    type Memory = CountedMemory;
    type Answer = Page<AuthorWithCount>;
    type Error = ServiceError;
    /// Memory always answers.
    type Query = Infallible;

    fn look_up(self, memory: &CountedMemory) -> Lookup<ServiceResult<Self::Answer>, Infallible> {
        Lookup::Found(Ok(memory.counts().authors(self.page)))
    }

    fn load(never: Infallible, _: &mut DbConn, _: &CountedMemory) -> ServiceResult<Self::Answer> {
        match never {}
    }
}

/// The author with this slug, if the reader may know of them: anyone, once
/// they have a visible post; a signed-in reader, any user.
fn author(
    memory: &CountedMemory,
    slug: &str,
    authenticated: bool,
) -> ServiceResult<AuthorWithCount> {
    match memory.counts().author(slug) {
        Some(author) if author.post_count > 0 || authenticated => Ok(author),
        _ => Err(ServiceError::NotFound("author")),
    }
}

/// One author with their visible posts.
#[derive(Debug, Clone)]
pub struct GetAuthor {
    pub slug: String,
    pub authenticated: bool,
}

impl CachedRead for GetAuthor {
    type Memory = CountedMemory;
    type Answer = AuthorWithCount;
    type Error = ServiceError;
    /// Memory always answers.
    type Query = Infallible;

    fn look_up(self, memory: &CountedMemory) -> Lookup<ServiceResult<Self::Answer>, Infallible> {
        Lookup::Found(author(memory, &self.slug, self.authenticated))
    }

    fn load(never: Infallible, _: &mut DbConn, _: &CountedMemory) -> ServiceResult<Self::Answer> {
        match never {}
    }
}

/// An author's page: the author, and their visible posts newest first. The
/// total is the author's `post_count`, from memory.
#[derive(Debug, Clone)]
pub struct AuthorPage {
    pub slug: String,
    pub authenticated: bool,
    pub page: PageRequest,
}

impl CachedRead for AuthorPage {
    type Memory = CountedMemory;
    type Answer = (AuthorWithCount, PostPage);
    type Error = ServiceError;
    type Query = (AuthorWithCount, PlannedPage);

    fn look_up(self, memory: &CountedMemory) -> Lookup<ServiceResult<Self::Answer>, Self::Query> {
        let author = match author(memory, &self.slug, self.authenticated) {
            Ok(author) => author,
            Err(error) => return Lookup::Found(Err(error)),
        };
        let matching = MatchingPosts {
            status: StatusFilter::Published,
            author_slugs: vec![author.author.slug.clone()],
            ..Default::default()
        };
        let key = PageKey {
            matching,
            page: self.page,
        };
        match memory.memory().page(&key) {
            Some(page) => Lookup::Found(Ok((author, page))),
            None => {
                let planned = PlannedPage {
                    key,
                    known_total: Some(author.post_count),
                    total_key: None,
                    seek: None,
                };
                Lookup::Missing((author, planned))
            }
        }
    }

    fn load(
        (author, planned): Self::Query,
        conn: &mut DbConn,
        memory: &CountedMemory,
    ) -> ServiceResult<Self::Answer> {
        Ok((author, load_page(conn, memory, planned)?))
    }
}
