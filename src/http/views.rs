//! Wire types: what responses look like. Built from service results, never
//! sent straight from database rows.

use chrono::{NaiveDateTime, SecondsFormat};
use serde::{Serialize, Serializer};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::page::Page;
use crate::domain::tag_name::TagVisibility;
use crate::models::{
    AuthorWithCount, CredentialRow, PostStatus, PostWithTags, TagRow, TagWithCounts, UserRow,
};

/// A stored UTC time, written as RFC 3339 with a `Z`.
#[derive(Debug, Clone, Copy)]
pub struct Time(pub NaiveDateTime);

impl PartialSchema for Time {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("RFC 3339, in UTC"))
            .examples(["2026-11-20T10:00:00Z"])
            .into()
    }
}

impl ToSchema for Time {}

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

/// A tag as a post lists it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "name": "Rust", "slug": "rust", "visibility": "public"}))]
pub struct TagRef {
    pub id: i64,
    pub name: String,
    pub slug: String,
    #[schema(schema_with = visibility_schema)]
    pub visibility: &'static str,
}

impl From<TagRow> for TagRef {
    fn from(tag: TagRow) -> Self {
        TagRef {
            visibility: tag.visibility().as_str(),
            id: tag.id,
            name: tag.name,
            slug: tag.slug,
        }
    }
}

/// `public`, or `internal`: a tag whose name starts with `#`, which only
/// authenticated callers see.
fn visibility_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(
            [TagVisibility::Public, TagVisibility::Internal].map(TagVisibility::as_str),
        ))
        .into()
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "title": "Hello, Rust", "slug": "hello-rust", "body": "Why we chose Rust.",
    "excerpt": null, "status": "published", "published_at": "2026-11-20T10:00:00Z",
    "created_at": "2026-11-19T08:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
    "author": {"id": 2, "name": "Ada Lovelace", "slug": "ada-lovelace"},
    "tags": [
        {"id": 7, "name": "Rust", "slug": "rust", "visibility": "public"},
        {"id": 9, "name": "Web", "slug": "web", "visibility": "public"}
    ]
}))]
pub struct Post {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: Option<String>,
    #[schema(schema_with = status_schema)]
    pub status: &'static str,
    pub published_at: Option<Time>,
    pub created_at: Time,
    pub updated_at: Time,
    /// Only trashed posts have it, and only the admin sees them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Time>,
    /// Who the post is by: never their email or role.
    pub author: UserRef,
    pub tags: Vec<TagRef>,
}

/// `draft` or `published`; a published post with a future `published_at`
/// is scheduled.
fn status_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(PostStatus::ALL.map(PostStatus::as_str)))
        .into()
}

impl Post {
    /// The post as a caller sees it: the public never sees internal tags.
    pub fn new(post: PostWithTags, authenticated: bool) -> Self {
        let PostWithTags { post, author, tags } = post;
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
            author: UserRef {
                id: author.id,
                name: author.name,
                slug: author.slug,
            },
            tags: tags
                .into_iter()
                .filter(|tag| tag.visibility().is_seen(authenticated))
                .map(TagRef::from)
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "name": "Rust", "slug": "rust", "visibility": "public", "description": null,
    "feature_image": "https://cdn.example.com/images/rust.png", "accent_color": "#ce422b",
    "meta_title": "Rust posts", "meta_description": null, "aliases": ["rustlang"],
    "post_count": 12, "total_count": 14, "created_at": "2026-11-19T08:00:00Z"
}))]
pub struct Tag {
    pub id: i64,
    pub name: String,
    pub slug: String,
    #[schema(schema_with = visibility_schema)]
    pub visibility: &'static str,
    pub description: Option<String>,
    /// An absolute http(s) URL.
    pub feature_image: Option<String>,
    /// `#rrggbb`.
    pub accent_color: Option<String>,
    /// For search engines and link previews.
    pub meta_title: Option<String>,
    /// For search engines and link previews.
    pub meta_description: Option<String>,
    /// Other names get-or-create resolves to this tag, by key.
    pub aliases: Vec<String>,
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
            visibility: tag.visibility().as_str(),
            id: tag.id,
            name: tag.name,
            slug: tag.slug,
            description: tag.description,
            feature_image: tag.feature_image,
            accent_color: tag.accent_color,
            meta_title: tag.meta_title,
            meta_description: tag.meta_description,
            // An alias written as an internal name (a merged internal tag's)
            // is as hidden from the public as that tag was.
            aliases: tag
                .aliases
                .0
                .into_iter()
                .filter(|alias| TagVisibility::of_name(alias).is_seen(admin))
                .collect(),
            post_count,
            total_count: admin.then_some(total_count),
            created_at: Time(tag.created_at),
        }
    }
}

/// Related posts, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedPosts {
    pub items: Vec<Post>,
}

/// The list envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// Everything that matches, on every page.
    pub total: i64,
    /// 0 when nothing matches; a page past the end has no items.
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

    /// A page memory shares with other requests, each item copied.
    pub fn of<S>(page: &Page<S>, view: impl FnMut(&S) -> T) -> Self {
        List {
            items: page.items.iter().map(view).collect(),
            page: page.request.page,
            per_page: page.request.per_page,
            total: page.total,
            total_pages: page.total_pages(),
        }
    }
}

/// The public tag page: the tag and a page of its posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagPosts {
    pub tag: Tag,
    #[serde(flatten)]
    pub posts: List<Post>,
}

/// An author, publicly: never email or role.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 2, "name": "Ada Lovelace", "slug": "ada-lovelace", "bio": "Writes on engines.",
    "post_count": 12
}))]
pub struct Author {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub bio: Option<String>,
    /// Visible posts.
    pub post_count: i64,
}

impl From<AuthorWithCount> for Author {
    fn from(AuthorWithCount { author, post_count }: AuthorWithCount) -> Self {
        Author {
            id: author.id,
            name: author.name,
            slug: author.slug,
            bio: author.bio,
            post_count,
        }
    }
}

/// An author's page: the author and a page of their visible posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorPosts {
    pub author: Author,
    #[serde(flatten)]
    pub posts: List<Post>,
}

/// A staff user. `email` only for administrators and the user themself.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 2, "name": "Ada Lovelace", "slug": "ada-lovelace", "email": "ada@example.com",
    "role": "author", "bio": null, "created_at": "2026-11-19T08:00:00Z"
}))]
pub struct User {
    pub id: i64,
    pub name: String,
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[schema(schema_with = crate::http::schemas::role_schema)]
    pub role: String,
    pub bio: Option<String>,
    pub created_at: Time,
}

impl User {
    /// The user as a caller sees them: with the email or without.
    pub fn new(user: UserRow, with_email: bool) -> Self {
        User {
            id: user.id,
            name: user.name,
            slug: user.slug,
            email: user.email.filter(|_| with_email),
            role: user.role,
            bio: user.bio,
            created_at: Time(user.created_at),
        }
    }
}

/// A new session: its token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// The bearer token; only its digest is stored.
    pub token: String,
    pub expires_at: Option<Time>,
    pub user: User,
}

/// A personal key, without its token (shown only when it is created).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "name": "static site builder", "created_at": "2026-11-19T08:00:00Z",
    "last_used_at": null
}))]
pub struct Key {
    pub id: i64,
    pub name: String,
    pub created_at: Time,
    /// To the minute.
    pub last_used_at: Option<Time>,
    /// Whose key it is: in an administrator's list of everyone's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserRef>,
}

impl Key {
    pub fn new(key: CredentialRow, user: Option<UserRow>) -> Self {
        Key {
            id: key.id,
            name: key.name.unwrap_or_default(),
            created_at: Time(key.created_at),
            last_used_at: key.last_used_at.map(Time),
            user: user.map(UserRef::from),
        }
    }
}

/// A new personal key, with its token: the one time it is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewKey {
    pub id: i64,
    pub name: String,
    /// The bearer token; only its digest is stored.
    pub token: String,
    pub created_at: Time,
}

/// A user as other resources name them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "name": "Ada Lovelace", "slug": "ada-lovelace"}))]
pub struct UserRef {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

impl From<UserRow> for UserRef {
    fn from(user: UserRow) -> Self {
        UserRef {
            id: user.id,
            name: user.name,
            slug: user.slug,
        }
    }
}
