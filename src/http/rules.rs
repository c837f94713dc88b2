//! Field rules for request bodies, for `validator`'s `custom` checks. Each
//! defers to the domain type that parses the value, so that a rule is
//! written once.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, SubsecRound};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Array, ArrayBuilder, Object, ObjectBuilder, Type};
use validator::{Validate, ValidationError};

use crate::domain::{
    EXCERPT_MAX_CHARS, MAX_TAGS_PER_POST, NUL_MESSAGE, PostTitle, SLUG_MAX_CHARS, Slug, TagName,
    has_nul,
};
use crate::models::PostStatus;
use crate::patch::Patch;

fn invalid(code: &'static str, message: impl Into<Cow<'static, str>>) -> ValidationError {
    ValidationError::new(code).with_message(message.into())
}

fn not_null_error() -> ValidationError {
    invalid("not_null", "must not be null")
}

/// For fields that may be left out but are never null.
pub fn not_null<T>(value: &Patch<T>) -> Result<(), ValidationError> {
    match value {
        Patch::Null => Err(not_null_error()),
        Patch::Absent | Patch::Value(_) => Ok(()),
    }
}

pub fn required<T>(value: &Patch<T>) -> Result<(), ValidationError> {
    match value {
        Patch::Absent => Err(invalid("required", "is required")),
        _ => not_null(value),
    }
}

pub fn title(value: &Patch<String>) -> Result<(), ValidationError> {
    not_null(value)?;
    if let Patch::Value(title) = value {
        PostTitle::parse(title).map_err(|message| invalid("length", message))?;
    }
    Ok(())
}

pub fn excerpt(value: &Patch<String>) -> Result<(), ValidationError> {
    match value {
        Patch::Value(excerpt) if excerpt.chars().count() > EXCERPT_MAX_CHARS => {
            Err(invalid("length", "must be at most 500 characters"))
        }
        _ => storable(value),
    }
}

/// Text the databases can store: no NUL character.
pub fn storable(value: &Patch<String>) -> Result<(), ValidationError> {
    match value {
        Patch::Value(text) if has_nul(text) => Err(invalid("nul", NUL_MESSAGE)),
        _ => Ok(()),
    }
}

/// A post body: never null, storable.
pub fn body(value: &Patch<String>) -> Result<(), ValidationError> {
    not_null(value)?;
    storable(value)
}

pub fn slug(value: &Patch<String>) -> Result<(), ValidationError> {
    not_null(value)?;
    if let Patch::Value(slug) = value {
        Slug::parse(slug).map_err(|message| invalid("slug", message))?;
    }
    Ok(())
}

pub fn status(value: &Patch<String>) -> Result<(), ValidationError> {
    not_null(value)?;
    match value {
        Patch::Value(status) if PostStatus::parse(status).is_none() => {
            Err(invalid("status", "must be `draft` or `published`"))
        }
        _ => Ok(()),
    }
}

pub fn published_at(value: &Patch<String>) -> Result<(), ValidationError> {
    if let Patch::Value(time) = value {
        parse_time(time).map_err(|message| invalid("time", message))?;
    }
    Ok(())
}

/// An RFC 3339 time, as stored: UTC, to the microsecond.
pub fn parse_time(raw: &str) -> Result<NaiveDateTime, &'static str> {
    DateTime::parse_from_rfc3339(raw)
        .map(|time| time.naive_utc().trunc_subsecs(6))
        .map_err(|_| "must be an RFC 3339 time such as 2026-11-20T10:00:00Z")
}

/// One tag name of a list; validated on its own so that errors name the
/// index (`tags[3]`).
#[derive(Debug, Clone, Deserialize, Serialize, Validate)]
#[serde(transparent)]
pub struct TagNameInput {
    #[validate(custom(function = "tag_name"))]
    pub name: String,
}

pub fn tag_name(name: &str) -> Result<(), ValidationError> {
    TagName::parse(name)
        .map(drop)
        .map_err(|message| invalid("tag_name", message))
}

/// A list of tag names: never null, at most 25 distinct names.
pub fn tag_list(value: &Patch<Vec<TagNameInput>>) -> Result<(), ValidationError> {
    match value {
        Patch::Null => Err(invalid(
            "not_null",
            "must be a list of tag names; send [] to remove every tag",
        )),
        Patch::Value(names) => {
            let distinct: HashSet<String> = names
                .iter()
                .filter_map(|input| TagName::parse(&input.name).ok())
                .map(|name| name.key().to_owned())
                .collect();
            if distinct.len() > MAX_TAGS_PER_POST {
                Err(invalid("too_many", "must name at most 25 distinct tags"))
            } else {
                Ok(())
            }
        }
        Patch::Absent => Ok(()),
    }
}

/// Parses names that passed [`tag_list`], dropping later duplicates.
pub fn parse_tag_names(inputs: Vec<TagNameInput>) -> Vec<TagName> {
    crate::domain::dedupe_tag_names(
        inputs
            .iter()
            .filter_map(|input| TagName::parse(&input.name).ok())
            .collect(),
    )
}

/// The longest tag description, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 500;

pub fn tag_name_field(value: &Patch<String>) -> Result<(), ValidationError> {
    not_null(value)?;
    if let Patch::Value(name) = value {
        tag_name(name)?;
    }
    Ok(())
}

pub fn description(value: &Patch<String>) -> Result<(), ValidationError> {
    match value {
        Patch::Value(text) if text.chars().count() > DESCRIPTION_MAX_CHARS => {
            Err(invalid("length", "must be at most 500 characters"))
        }
        _ => storable(value),
    }
}

pub fn required_slug(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    slug(value)
}

pub fn required_tag_list(value: &Patch<Vec<TagNameInput>>) -> Result<(), ValidationError> {
    required(value)?;
    tag_list(value)
}

pub fn bulk_ids(value: &Patch<Vec<i64>>) -> Result<(), ValidationError> {
    required(value)?;
    match value {
        Patch::Value(ids) if ids.len() > crate::services::posts::MAX_BULK_IDS => {
            Err(invalid("too_many", "must list at most 1000 ids"))
        }
        _ => Ok(()),
    }
}

/// The bulk actions and whether each takes tag names.
pub const BULK_ACTIONS: [(&str, bool); 6] = [
    ("publish", false),
    ("unpublish", false),
    ("delete", false),
    ("restore", false),
    ("add_tags", true),
    ("remove_tags", true),
];

pub fn bulk_action(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    match value {
        Patch::Value(action) if !BULK_ACTIONS.iter().any(|(name, _)| name == action) => {
            Err(invalid(
                "unknown",
                "must be one of publish, unpublish, delete, restore, add_tags, remove_tags",
            ))
        }
        _ => Ok(()),
    }
}

/// The pattern every slug matches, as the OpenAPI document gives it.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

pub fn slug_schema() -> Object {
    string_schema()
        .pattern(Some(SLUG_PATTERN))
        .max_length(Some(SLUG_MAX_CHARS))
        .examples(["hello-rust"])
        .build()
}

/// What [`TagName::parse`] accepts, as far as a pattern can say it: no
/// control character but white space, and something besides white space
/// (written out as Rust's `char::is_whitespace` has it, which `\s` is not).
/// The 50-character limit applies after white space collapses, which a
/// pattern cannot count.
pub const TAG_NAME_PATTERN: &str = concat!(
    r"^[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*",
    r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
    r"[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*$",
);

pub fn tag_name_schema() -> Object {
    string_schema()
        .pattern(Some(TAG_NAME_PATTERN))
        .description(Some(
            "A tag name: 1 to 50 characters once white space is trimmed and collapsed; \
             matched to a tag case-insensitively",
        ))
        .examples(["Rust"])
        .build()
}

/// Tag names as a request gives them.
pub fn tag_names_schema() -> Array {
    ArrayBuilder::new()
        .items(tag_name_schema())
        .examples([serde_json::json!(["Rust", "Web"])])
        .build()
}

pub fn bulk_action_schema() -> Object {
    string_schema()
        .enum_values(Some(BULK_ACTIONS.iter().map(|(name, _)| *name)))
        .build()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    use super::*;

    proptest! {
        /// What the document's pattern promises, the parser keeps: a name
        /// matching it is accepted unless it is too long once collapsed.
        #[test]
        fn names_matching_the_documented_pattern_parse(
            raw in proptest::string::string_regex(
                TAG_NAME_PATTERN.trim_start_matches('^').trim_end_matches('$')
            ).unwrap()
        ) {
            let nfc: String = raw.nfc().collect();
            let collapsed = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
            let fits = collapsed.chars().count() <= crate::domain::TAG_NAME_MAX_CHARS;
            prop_assert_eq!(TagName::parse(&raw).is_ok(), fits, "{:?}", raw);
        }
    }
}
