//! The bodies of the tag routes, and how each becomes domain values.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::patch::Patch;
use crate::domain::slug::Slug;
use crate::domain::tag_name::TagName;
use crate::http::extract::{BodyCheck, Create, CreateBody, RequestBody, UnknownFields, check_body};
use crate::http::problem::ApiError;
use crate::http::{rules, schemas};
use crate::services::tags::{NewTag, TagUpdate};

/// The fields of a tag in a request body; `POST` wraps it to require a name.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = TagChanges)]
pub struct TagFields {
    /// Unique case-insensitively (see [`schemas::tag_name_schema`]).
    #[serde(default)]
    #[validate(custom(function = "rules::tag_name_field"))]
    #[schema(schema_with = schemas::tag_name_schema)]
    name: Patch<String>,
    /// Generated from the name when not given on create; a rename keeps it.
    #[serde(default)]
    #[validate(custom(function = "rules::slug"))]
    #[schema(schema_with = schemas::slug_schema)]
    slug: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::description"))]
    #[schema(schema_with = schemas::tag_description_schema)]
    description: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for TagFields {
    const FIELDS: &'static [&'static str] = &["name", "slug", "description"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

impl TagFields {
    fn name(&self) -> Result<Option<TagName>, ApiError> {
        self.name
            .clone()
            .value()
            .map(|name| TagName::parse(&name).map_err(|message| ApiError::field("name", message)))
            .transpose()
    }

    fn slug(&self) -> Result<Option<Slug>, ApiError> {
        self.slug
            .clone()
            .value()
            .map(|slug| Slug::parse(&slug).map_err(|message| ApiError::field("slug", message)))
            .transpose()
    }

    /// For `POST /tags`, once the name is known to be there.
    pub(super) fn into_new_tag(self) -> Result<NewTag, ApiError> {
        Ok(NewTag {
            name: self
                .name()?
                .ok_or_else(|| ApiError::field("name", "is required"))?,
            slug: self.slug()?,
            description: self.description.value(),
        })
    }

    pub(super) fn into_update(self) -> Result<TagUpdate, ApiError> {
        Ok(TagUpdate {
            name: self.name()?,
            slug: self.slug()?,
            description: self.description,
        })
    }
}

/// Each tag body parsed from the same bytes, down to domain values.
pub fn check_bodies(bytes: &[u8], outcomes: &mut Vec<BodyCheck>) {
    outcomes.push(check_body("POST /tags", bytes, |body: NewTagBody| {
        body.0.into_new_tag()
    }));
    outcomes.push(check_body(
        "PATCH /tags/{slug}",
        bytes,
        TagFields::into_update,
    ));
    outcomes.push(check_body(
        "POST /tags/{slug}/merge",
        bytes,
        |body: MergeRequest| Ok(body.into),
    ));
}

/// The body of `POST /tags`, named for the OpenAPI document.
pub type NewTagBody = Create<TagFields>;

impl CreateBody for TagFields {
    const REQUIRED: &'static str = "name";
    const SCHEMA_NAME: &'static str = "NewTag";

    fn has_required(&self) -> bool {
        !self.name.is_absent()
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"into": "rust"}))]
pub struct MergeRequest {
    /// The slug of the tag that takes the posts.
    #[serde(default)]
    #[validate(custom(function = "rules::required_slug"))]
    #[schema(schema_with = schemas::slug_schema, required = true)]
    pub(super) into: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for MergeRequest {
    const FIELDS: &'static [&'static str] = &["into"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}
