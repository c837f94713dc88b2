//! Database rows, the insert and update forms next to them, and rows read
//! together (a post with its tags, a tag with its counts). These are
//! database types only; the HTTP layer has its own wire types.

use chrono::NaiveDateTime;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::domain::tag_name::{TagName, TagVisibility};
use crate::schema::{credentials, post_tags, posts, tags, users, webhook_deliveries, webhooks};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum PostStatus {
    Draft,
    Published,
}

impl PostStatus {
    pub const ALL: [PostStatus; 2] = [PostStatus::Draft, PostStatus::Published];

    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Draft => "draft",
            PostStatus::Published => "published",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "draft" => Some(PostStatus::Draft),
            "published" => Some(PostStatus::Published),
            _ => None,
        }
    }
}

impl<DB: Backend> ToSql<Text, DB> for PostStatus
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.as_str().to_sql(out)
    }
}

impl<DB: Backend> FromSql<Text, DB> for PostStatus
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let raw = String::from_sql(bytes)?;
        PostStatus::parse(&raw).ok_or_else(|| format!("unknown post status `{raw}`").into())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = posts)]
pub struct PostRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: Option<String>,
    pub status: PostStatus,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
    pub version: i64,
    pub author_id: i64,
}

/// A post with its author and its tags, in the author's order.
#[derive(Debug, Clone)]
pub struct PostWithTags {
    pub post: PostRow,
    pub author: AuthorRow,
    pub tags: Vec<TagRow>,
}

/// An author as the authors list shows them: never email or role.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct AuthorProfileRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub bio: Option<String>,
}

/// An author with the number of their visible posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorWithCount {
    pub author: AuthorProfileRow,
    pub post_count: i64,
}

/// A post's author as posts show them: never email or role. Read beside
/// a post as `db::posts::author_columns`, or from `users`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct AuthorRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = posts, treat_none_as_default_value = false)]
pub struct NewPostRow<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub body: &'a str,
    pub excerpt: Option<&'a str>,
    pub status: PostStatus,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub author_id: i64,
}

/// A partial update of a post: `None` leaves a column alone; for nullable
/// columns `Some(None)` sets NULL.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = posts)]
pub struct PostChangeset {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub body: Option<String>,
    pub excerpt: Option<Option<String>>,
    pub status: Option<PostStatus>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub author_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, QueryableByName, Selectable, Identifiable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub slug: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub feature_image: Option<String>,
    pub accent_color: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    #[diesel(column_name = alias_names)]
    pub aliases: TagAliases,
}

/// A tag's aliases, by key, as its row lists them (a JSON array of names,
/// kept by triggers on `tag_aliases`).
#[derive(Debug, Clone, Default, PartialEq, Eq, FromSqlRow)]
pub struct TagAliases(pub Vec<String>);

impl<DB: Backend> FromSql<Text, DB> for TagAliases
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let raw = String::from_sql(bytes)?;
        Ok(TagAliases(serde_json::from_str(&raw)?))
    }
}

impl TagRow {
    pub fn visibility(&self) -> TagVisibility {
        TagVisibility::of_name(&self.name)
    }
}

/// A tag with its counts: `post_count` counts visible posts; `total_count`
/// counts posts that are not trashed, whatever their status.
#[derive(Debug, Clone)]
pub struct TagWithCounts {
    pub tag: TagRow,
    pub post_count: i64,
    pub total_count: i64,
}

/// `None` binds NULL rather than `DEFAULT`, which lets SQLite insert many
/// rows in one statement (it has no `DEFAULT` keyword in `VALUES`).
#[derive(Debug, Insertable)]
#[diesel(table_name = tags, treat_none_as_default_value = false)]
pub struct NewTagRow<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub slug: String,
    pub description: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub feature_image: Option<&'a str>,
    pub accent_color: Option<&'a str>,
    pub meta_title: Option<&'a str>,
    pub meta_description: Option<&'a str>,
}

impl<'a> NewTagRow<'a> {
    /// A tag with a name and a slug, and nothing else yet.
    pub fn named(name: &'a TagName, slug: String, created_at: NaiveDateTime) -> Self {
        Self {
            name: name.display(),
            name_key: name.key(),
            slug,
            description: None,
            created_at,
            feature_image: None,
            accent_color: None,
            meta_title: None,
            meta_description: None,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = post_tags)]
pub struct NewPostTagRow {
    pub post_id: i64,
    pub tag_id: i64,
    pub position: i32,
}

/// A change to a tag: `None` leaves a column alone; for the nullable ones,
/// `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = tags)]
pub struct TagChangeset {
    pub name: Option<String>,
    pub name_key: Option<String>,
    pub slug: Option<String>,
    pub description: Option<Option<String>>,
    pub feature_image: Option<Option<String>>,
    pub accent_color: Option<Option<String>>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
}

impl TagChangeset {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.slug.is_none()
            && self.description.is_none()
            && self.feature_image.is_none()
            && self.accent_color.is_none()
            && self.meta_title.is_none()
            && self.meta_description.is_none()
    }
}

/// A staff user. `role` is one of the role names (a CHECK keeps it so).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub email: Option<String>,
    pub role: String,
    pub bio: Option<String>,
    pub is_owner: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// No `Debug`: it holds a password hash.
#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct NewUserRow<'a> {
    pub name: &'a str,
    pub slug: String,
    pub email: &'a str,
    pub email_key: &'a str,
    pub role: &'a str,
    pub bio: Option<&'a str>,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A change to a user: `None` leaves a column alone; for the bio,
/// `Some(None)` clears it. No `Debug`: it may hold a password hash.
#[derive(Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChangeset {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub role: Option<String>,
    pub bio: Option<Option<String>>,
    pub password_hash: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

/// A session or a personal key, without its token's digest.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = credentials)]
pub struct CredentialRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub name: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = credentials, treat_none_as_default_value = false)]
pub struct NewCredentialRow<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub token_hash: &'a [u8],
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

/// A webhook, without its secret (read only to sign, by the sender).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    /// A JSON array of event names, as given.
    pub events: String,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = webhooks)]
pub struct NewWebhookRow<'a> {
    pub url: &'a str,
    pub events: &'a str,
    pub secret: &'a str,
    pub created_at: NaiveDateTime,
}

/// One event on its way to one webhook, with its attempts so far.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub delivery_id: String,
    pub webhook_id: i64,
    pub event: String,
    pub subject: String,
    pub subject_id: i64,
    pub subject_slug: String,
    pub purge_keys: String,
    pub occurred_at: NaiveDateTime,
    pub body: Option<String>,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub state: String,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}
