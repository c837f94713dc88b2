//! The bodies of the post routes, and how each becomes domain values.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::{Validate, ValidationErrors};

use crate::domain::patch::Patch;
use crate::domain::slug::Slug;
use crate::domain::text::PostTitle;
use crate::domain::time;
use crate::http::extract::{BodyCheck, Create, CreateBody, RequestBody, UnknownFields, check_body};
use crate::http::problem::ApiError;
use crate::http::rules::{self, TagNameInput};
use crate::http::schemas;
use crate::models::PostStatus;
use crate::services::posts::{BulkAction, NewPost, PostUpdate};

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
    /// The slug of the user the post is by (editors and administrators);
    /// the writer when not given on create. Never `null`.
    #[serde(default)]
    #[validate(custom(function = "rules::slug"))]
    #[schema(schema_with = schemas::slug_schema)]
    author: Patch<String>,
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
        "author",
    ];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

impl PostFields {
    pub(super) fn into_update(self) -> Result<PostUpdate, ApiError> {
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
            author: self.author.value(),
        })
    }

    /// For `POST /posts`, once the title is known to be there.
    pub(super) fn into_new_post(self) -> Result<NewPost, ApiError> {
        Ok(NewPost {
            title: parse_title(&self.title.value().unwrap_or_default())?,
            body: self.body.value().unwrap_or_default(),
            excerpt: self.excerpt.value(),
            slug: parse_slug(self.slug)?,
            status: parse_status(self.status).unwrap_or(PostStatus::Draft),
            published_at: parse_time(self.published_at)?.value(),
            tags: rules::parse_tag_names(self.tags.value().unwrap_or_default()),
            author: self.author.value(),
        })
    }
}

/// The body of `POST /posts`, named for the OpenAPI document.
pub type NewPostBody = Create<PostFields>;

impl CreateBody for PostFields {
    const REQUIRED: &'static str = "title";
    const SCHEMA_NAME: &'static str = "NewPost";

    fn has_required(&self) -> bool {
        !self.title.is_absent()
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"tags": ["Rust", "Web"]}))]
pub struct AddTagsRequest {
    /// Tag names to get or create and attach after the post's own.
    #[serde(default)]
    #[validate(custom(function = "rules::required_tag_list"), nested)]
    #[schema(schema_with = schemas::tag_names_schema, required = true)]
    pub(super) tags: Patch<Vec<TagNameInput>>,
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
    pub matched: usize,
    /// Posts whose state changed.
    pub updated: usize,
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
            Patch::Value(action) => BulkAction::takes_tags(action),
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
    pub(super) fn into_action(self) -> Result<(Vec<i64>, BulkAction), ApiError> {
        let BulkFields {
            ids, action, tags, ..
        } = self.0;
        let names = rules::parse_tag_names(tags.value().unwrap_or_default());
        let action = action
            .value()
            .and_then(|name| BulkAction::named(&name, names))
            .ok_or_else(|| ApiError::field("action", "is not a bulk action"))?;
        Ok((ids.value().unwrap_or_default(), action))
    }
}

/// Each post body parsed from the same bytes, down to domain values.
pub fn check_bodies(bytes: &[u8], outcomes: &mut Vec<BodyCheck>) {
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
