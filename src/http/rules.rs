//! Field rules for request bodies, for `validator`'s `custom` checks. Each
//! defers to the domain type that parses the value, so that a rule is
//! written once.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::domain::limits::{
    EXCERPT_MAX_CHARS, MAX_BULK_IDS, MAX_TAGS_PER_POST, TAG_DESCRIPTION_MAX_CHARS,
};
use crate::domain::patch::Patch;
use crate::domain::slug::Slug;
use crate::domain::tag_fields;
use crate::domain::tag_name::{TagName, dedupe_tag_names};
use crate::domain::text::{NUL_MESSAGE, PostTitle, at_most_message, has_nul};
use crate::domain::time::parse_time;
use crate::models::PostStatus;
use crate::services::posts::BulkAction;

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
            Err(invalid("length", at_most_message(EXCERPT_MAX_CHARS)))
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
            let names: Vec<String> = PostStatus::ALL
                .iter()
                .map(|status| format!("`{}`", status.as_str()))
                .collect();
            Err(invalid("status", format!("must be {}", names.join(" or "))))
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

/// A list of tag names: never null, at most [`MAX_TAGS_PER_POST`] distinct
/// names.
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
                Err(invalid(
                    "too_many",
                    format!("must name at most {MAX_TAGS_PER_POST} distinct tags"),
                ))
            } else {
                Ok(())
            }
        }
        Patch::Absent => Ok(()),
    }
}

/// Parses names that passed [`tag_list`], dropping later duplicates.
pub fn parse_tag_names(inputs: Vec<TagNameInput>) -> Vec<TagName> {
    dedupe_tag_names(
        inputs
            .iter()
            .filter_map(|input| TagName::parse(&input.name).ok())
            .collect(),
    )
}

pub fn tag_name_field(value: &Patch<String>) -> Result<(), ValidationError> {
    not_null(value)?;
    if let Patch::Value(name) = value {
        tag_name(name)?;
    }
    Ok(())
}

pub fn required_tag_name(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    tag_name_field(value)
}

pub fn description(value: &Patch<String>) -> Result<(), ValidationError> {
    match value {
        Patch::Value(text) if text.chars().count() > TAG_DESCRIPTION_MAX_CHARS => Err(invalid(
            "length",
            at_most_message(TAG_DESCRIPTION_MAX_CHARS),
        )),
        _ => storable(value),
    }
}

pub fn feature_image(value: &Patch<String>) -> Result<(), ValidationError> {
    parsed_by(value, "url", tag_fields::feature_image)
}

pub fn accent_color(value: &Patch<String>) -> Result<(), ValidationError> {
    parsed_by(value, "color", tag_fields::accent_color)
}

pub fn meta_title(value: &Patch<String>) -> Result<(), ValidationError> {
    parsed_by(value, "length", tag_fields::meta_title)
}

pub fn meta_description(value: &Patch<String>) -> Result<(), ValidationError> {
    parsed_by(value, "length", tag_fields::meta_description)
}

/// A nullable field whose value the domain parses.
fn parsed_by(
    value: &Patch<String>,
    code: &'static str,
    parse: fn(&str) -> Result<String, String>,
) -> Result<(), ValidationError> {
    match value {
        Patch::Value(text) => parse(text)
            .map(drop)
            .map_err(|message| invalid(code, message)),
        Patch::Absent | Patch::Null => Ok(()),
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
        Patch::Value(ids) if ids.len() > MAX_BULK_IDS => Err(invalid(
            "too_many",
            format!("must list at most {MAX_BULK_IDS} ids"),
        )),
        _ => Ok(()),
    }
}

pub fn bulk_action(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    match value {
        Patch::Value(action) if BulkAction::takes_tags(action).is_none() => {
            let names: Vec<&str> = BulkAction::NAMES.iter().map(|(name, _)| *name).collect();
            Err(invalid(
                "unknown",
                format!("must be one of {}", names.join(", ")),
            ))
        }
        _ => Ok(()),
    }
}
