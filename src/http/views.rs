//! Wire types: what responses look like. Built from service results, never
//! sent straight from database rows.

use chrono::{NaiveDateTime, SecondsFormat};
use serde::{Serialize, Serializer};

use crate::models::{PostRow, TagRow};
use crate::services::Page;
use crate::services::posts::PostWithTags;
use crate::services::tags::TagWithCounts;

/// A stored UTC time, written as RFC 3339 with a `Z`.
#[derive(Debug, Clone, Copy)]
pub struct Time(pub NaiveDateTime);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(
            &self
                .0
                .and_utc()
                .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )
    }
}

#[derive(Debug, Serialize)]
pub struct TagRef {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

impl From<TagRow> for TagRef {
    fn from(tag: TagRow) -> Self {
        TagRef {
            id: tag.id,
            name: tag.name,
            slug: tag.slug,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Post {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: Option<String>,
    pub status: &'static str,
    pub published_at: Option<Time>,
    pub created_at: Time,
    pub updated_at: Time,
    /// Only trashed posts have it, and only the admin sees them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Time>,
    pub tags: Vec<TagRef>,
}

impl Post {
    pub fn etag(post: &PostRow) -> String {
        format!("\"{}\"", post.version)
    }
}

impl From<PostWithTags> for Post {
    fn from(PostWithTags { post, tags }: PostWithTags) -> Self {
        Post {
            id: post.id,
            title: post.title,
            slug: post.slug,
            body: post.body,
            excerpt: post.excerpt,
            status: post.status.as_str(),
            published_at: post.published_at.map(Time),
            created_at: Time(post.created_at),
            updated_at: Time(post.updated_at),
            deleted_at: post.deleted_at.map(Time),
            tags: tags.into_iter().map(TagRef::from).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    /// Visible posts.
    pub post_count: i64,
    /// Posts not deleted, whatever their status; for the admin only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_count: Option<i64>,
    pub created_at: Time,
}

impl Tag {
    pub fn new(counted: TagWithCounts, admin: bool) -> Self {
        let TagWithCounts {
            tag,
            post_count,
            total_count,
        } = counted;
        Tag {
            id: tag.id,
            name: tag.name,
            slug: tag.slug,
            description: tag.description,
            post_count,
            total_count: admin.then_some(total_count),
            created_at: Time(tag.created_at),
        }
    }
}

/// The list envelope.
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
    pub total_pages: i64,
}

impl<T> List<T> {
    pub fn new<S>(page: Page<S>, view: impl FnMut(S) -> T) -> Self {
        let total_pages = page.total_pages();
        let request = page.request;
        let total = page.total;
        List {
            items: page.items.into_iter().map(view).collect(),
            page: request.page,
            per_page: request.per_page,
            total,
            total_pages,
        }
    }
}

/// The public tag page: the tag and a page of its posts.
#[derive(Debug, Serialize)]
pub struct TagPosts {
    pub tag: Tag,
    #[serde(flatten)]
    pub posts: List<Post>,
}
