//! The bodies of the tag routes, and how each becomes domain values.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::domain::patch::Patch;
use crate::domain::slug::Slug;
use crate::domain::tag_fields;
use crate::domain::tag_name::TagName;
use crate::http::extract::{BodyCheck, Create, CreateBody, RequestBody, UnknownFields, check_body};
use crate::http::problem::ApiError;
use crate::http::{rules, schemas};
use crate::services::tags::{NewTag, TagDetails, TagUpdate};

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
    #[serde(default)]
    #[validate(custom(function = "rules::feature_image"))]
    #[schema(schema_with = schemas::feature_image_schema)]
    feature_image: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::accent_color"))]
    #[schema(schema_with = schemas::accent_color_schema)]
    accent_color: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::meta_title"))]
    #[schema(schema_with = schemas::meta_title_schema)]
    meta_title: Patch<String>,
    #[serde(default)]
    #[validate(custom(function = "rules::meta_description"))]
    #[schema(schema_with = schemas::meta_description_schema)]
    meta_description: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for TagFields {
    const FIELDS: &'static [&'static str] = &[
        "name",
        "slug",
        "description",
        "feature_image",
        "accent_color",
        "meta_title",
        "meta_description",
    ];

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

    /// The optional fields, as the domain keeps them.
    fn details(self) -> Result<TagDetails, ApiError> {
        Ok(TagDetails {
            description: self.description,
            feature_image: parsed(
                "feature_image",
                self.feature_image,
                tag_fields::feature_image,
            )?,
            accent_color: parsed("accent_color", self.accent_color, tag_fields::accent_color)?,
            meta_title: parsed("meta_title", self.meta_title, tag_fields::meta_title)?,
            meta_description: parsed(
                "meta_description",
                self.meta_description,
                tag_fields::meta_description,
            )?,
        })
    }

    /// For `POST /tags`, once the name is known to be there.
    pub(super) fn into_new_tag(self) -> Result<NewTag, ApiError> {
        Ok(NewTag {
            name: self
                .name()?
                .ok_or_else(|| ApiError::field("name", "is required"))?,
            slug: self.slug()?,
            details: self.details()?,
        })
    }

    pub(super) fn into_update(self) -> Result<TagUpdate, ApiError> {
        Ok(TagUpdate {
            name: self.name()?,
            slug: self.slug()?,
            details: self.details()?,
        })
    }
}

/// A nullable field's value as the domain keeps it.
fn parsed(
    field: &'static str,
    value: Patch<String>,
    parse: fn(&str) -> Result<String, String>,
) -> Result<Patch<String>, ApiError> {
    match value {
        Patch::Value(raw) => parse(&raw)
            .map(Patch::Value)
            .map_err(|message| ApiError::field(field, message)),
        other => Ok(other),
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
    outcomes.push(check_body(
        "POST /tags/{slug}/aliases",
        bytes,
        AliasRequest::into_name,
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"name": "JS"}))]
pub struct AliasRequest {
    /// Another name of the tag: a tag name, no tag's name or alias yet.
    #[serde(default)]
    #[validate(custom(function = "rules::required_tag_name"))]
    #[schema(schema_with = schemas::tag_name_schema, required = true)]
    name: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for AliasRequest {
    const FIELDS: &'static [&'static str] = &["name"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

impl AliasRequest {
    pub(super) fn into_name(self) -> Result<TagName, ApiError> {
        let name = self
            .name
            .value()
            .ok_or_else(|| ApiError::field("name", "is required"))?;
        TagName::parse(&name).map_err(|message| ApiError::field("name", message))
    }
}
