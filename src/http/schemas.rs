//! The schemas of the OpenAPI document that carry the API's rules: bounds
//! and their descriptions built from [`crate::domain::limits`], and
//! patterns that the parsers keep (tested below). Fields and parameters
//! given one of these (`schema_with`) take their description from it.

use utoipa::openapi::schema::{
    Array, ArrayBuilder, KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type,
};

use crate::cache::TagSort;
use crate::db::post_lists::StatusFilter;
use crate::domain::limits::{
    EMAIL_MAX_CHARS, EXCERPT_MAX_CHARS, KEY_NAME_MAX_CHARS, MAX_AUTHOR_FILTERS, MAX_BULK_IDS,
    MAX_TAG_FILTERS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, POST_PAGE, POST_SEARCH_MAX_CHARS,
    PageSize, RELATED_POSTS, SLUG_MAX_CHARS, TAG_DESCRIPTION_MAX_CHARS,
    TAG_FEATURE_IMAGE_MAX_CHARS, TAG_META_DESCRIPTION_MAX_CHARS, TAG_META_TITLE_MAX_CHARS,
    TAG_NAME_MAX_CHARS, TAG_PAGE, TAG_PREFIX_MAX_CHARS, TITLE_MAX_CHARS, USER_BIO_MAX_CHARS,
    USER_NAME_MAX_CHARS, USER_PAGE,
};
use crate::domain::people::Role;
use crate::models::PostStatus;
use crate::services::posts::BulkAction;

/// The pattern every slug matches, as the OpenAPI document gives it.
pub const SLUG_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// What [`TagName::parse`](crate::domain::tag_name::TagName::parse)
/// accepts, as far as a pattern can say it: no control character but white
/// space, and something besides white space and invisible format
/// characters (written out as Rust's `char::is_whitespace` and Unicode's
/// category Cf have them, in the Basic Multilingual Plane). The length
/// limit applies after white space collapses and format characters go,
/// which a pattern cannot count.
pub const TAG_NAME_PATTERN: &str = concat!(
    r"^[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*",
    r"[^\u0000-\u0020\u007F-\u00A0\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890\u0891",
    r"\u08E2\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u2064\u2066-\u206F\u3000",
    r"\uFEFF\uFFF9-\uFFFB]",
    r"[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*$",
);

fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// A string that may be `null`.
fn nullable_string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

fn enum_schema<const N: usize>(values: [&'static str; N]) -> Object {
    string_schema().enum_values(Some(values)).build()
}

pub fn slug_schema() -> Object {
    string_schema()
        .pattern(Some(SLUG_PATTERN))
        .max_length(Some(SLUG_MAX_CHARS))
        .examples(["hello-rust"])
        .build()
}

pub fn tag_name_schema() -> Object {
    string_schema()
        .pattern(Some(TAG_NAME_PATTERN))
        .description(Some(format!(
            "A tag name: 1 to {TAG_NAME_MAX_CHARS} characters once invisible format characters \
             (Unicode category Cf) are removed and white space is trimmed and collapsed; matched \
             to a tag case-insensitively. A name starting with `#` is an internal tag, which \
             the public never sees."
        )))
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

/// Texts trimmed before they are measured say their bound in words:
/// `maxLength` would refuse what the API takes (white space around a text
/// of the greatest length).
pub fn title_schema() -> Object {
    string_schema()
        .description(Some(format!(
            "1 to {TITLE_MAX_CHARS} characters after trimming."
        )))
        .min_length(Some(1))
        .build()
}

pub fn excerpt_schema() -> Object {
    nullable_string_schema()
        .description(Some("`null` clears it."))
        .max_length(Some(EXCERPT_MAX_CHARS))
        .build()
}

pub fn post_status_schema() -> Object {
    enum_schema(PostStatus::ALL.map(PostStatus::as_str))
}

pub fn tag_description_schema() -> Object {
    nullable_string_schema()
        .description(Some(format!(
            "At most {TAG_DESCRIPTION_MAX_CHARS} characters; `null` clears it."
        )))
        .max_length(Some(TAG_DESCRIPTION_MAX_CHARS))
        .build()
}

/// The pattern of an accent colour, as the parser has it.
pub const ACCENT_COLOR_PATTERN: &str = "^#[0-9a-fA-F]{6}$";

pub fn feature_image_schema() -> Object {
    nullable_string_schema()
        .description(Some(format!(
            "An absolute `http` or `https` URL, at most {TAG_FEATURE_IMAGE_MAX_CHARS} characters, \
             kept as a URL parser writes it; `null` clears it."
        )))
        .max_length(Some(TAG_FEATURE_IMAGE_MAX_CHARS))
        .examples(["https://cdn.example.com/images/rust.png"])
        .build()
}

pub fn accent_color_schema() -> Object {
    nullable_string_schema()
        .description(Some("`#rrggbb`, kept in lower case; `null` clears it."))
        .pattern(Some(ACCENT_COLOR_PATTERN))
        .examples(["#ce422b"])
        .build()
}

pub fn meta_title_schema() -> Object {
    meta_text_schema(TAG_META_TITLE_MAX_CHARS)
}

pub fn meta_description_schema() -> Object {
    meta_text_schema(TAG_META_DESCRIPTION_MAX_CHARS)
}

/// A tag's text for search engines and link previews.
fn meta_text_schema(max: usize) -> Object {
    nullable_string_schema()
        .description(Some(format!(
            "For search engines and link previews: at most {max} characters; `null` clears it."
        )))
        .max_length(Some(max))
        .build()
}

pub fn bulk_ids_schema() -> Array {
    ArrayBuilder::new()
        .description(Some(format!(
            "Post ids, at most {MAX_BULK_IDS}; unknown ones are skipped."
        )))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
        )
        .max_items(Some(MAX_BULK_IDS))
        .build()
}

pub fn bulk_action_schema() -> Object {
    string_schema()
        .enum_values(Some(BulkAction::NAMES.iter().map(|(name, _)| *name)))
        .build()
}

/// `tag` and `tag_any` of a post list.
pub fn tag_filter_schema() -> Array {
    ArrayBuilder::new()
        .items(slug_schema())
        .max_items(Some(MAX_TAG_FILTERS))
        .build()
}

pub fn author_filter_schema() -> Array {
    ArrayBuilder::new()
        .items(
            string_schema()
                .pattern(Some(SLUG_PATTERN))
                .examples(["ada-lovelace"]),
        )
        .max_items(Some(MAX_AUTHOR_FILTERS))
        .build()
}

pub fn post_status_filter_schema() -> Object {
    enum_schema(StatusFilter::NAMES)
}

pub fn post_search_schema() -> Object {
    string_schema()
        .description(Some(format!(
            "A case-insensitive substring of the title; at most {POST_SEARCH_MAX_CHARS} characters."
        )))
        .max_length(Some(POST_SEARCH_MAX_CHARS))
        .build()
}

pub fn tag_prefix_schema() -> Object {
    string_schema()
        .description(Some(
            "A case-insensitive prefix of the name, for autocomplete.",
        ))
        .max_length(Some(TAG_PREFIX_MAX_CHARS))
        .examples(["ru"])
        .build()
}

pub fn tag_sort_schema() -> Object {
    enum_schema(TagSort::NAMES)
}

fn per_page_schema(size: PageSize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::UInt32)))
        .description(Some(format!(
            "From 1 to {}; {} unless given.",
            size.max, size.default
        )))
        .minimum(Some(1))
        .maximum(Some(size.max))
        .examples([size.default])
        .build()
}

/// `limit` of related posts.
pub fn related_limit_schema() -> Object {
    per_page_schema(RELATED_POSTS)
}

/// `per_page` of post lists and tag pages.
pub fn posts_per_page_schema() -> Object {
    per_page_schema(POST_PAGE)
}

/// `per_page` of tag lists.
pub fn tags_per_page_schema() -> Object {
    per_page_schema(TAG_PAGE)
}

pub fn user_name_schema() -> Object {
    string_schema()
        .min_length(Some(1))
        .description(Some(format!(
            "1 to {USER_NAME_MAX_CHARS} characters once trimmed; the slug is made from it"
        )))
        .examples(["Ada Lovelace"])
        .build()
}

pub fn email_schema() -> Object {
    string_schema()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .description(Some(format!(
            "At most {EMAIL_MAX_CHARS} characters once trimmed; unique case-insensitively; \
             shown only to administrators and to the user"
        )))
        .examples(["ada@example.com"])
        .build()
}

pub fn role_schema() -> Object {
    enum_schema(Role::NAMES)
}

pub fn password_schema() -> Object {
    string_schema()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        .min_length(Some(PASSWORD_MIN_CHARS))
        .max_length(Some(PASSWORD_MAX_CHARS))
        .description(Some(format!(
            "{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters; stored only as an \
             Argon2id hash"
        )))
        .build()
}

pub fn user_bio_schema() -> Object {
    nullable_string_schema()
        .max_length(Some(USER_BIO_MAX_CHARS))
        .build()
}

pub fn key_name_schema() -> Object {
    string_schema()
        .min_length(Some(1))
        .description(Some(format!(
            "1 to {KEY_NAME_MAX_CHARS} characters once trimmed"
        )))
        .examples(["static site builder"])
        .build()
}

/// `per_page` of user lists.
pub fn users_per_page_schema() -> Object {
    per_page_schema(USER_PAGE)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    use super::*;
    use crate::domain::tag_name::{TagName, without_invisible_format};

    proptest! {
        /// What the document's pattern promises, the parser keeps: a name
        /// matching it is accepted unless it is too long once collapsed (or
        /// holds nothing but format characters outside the Basic
        /// Multilingual Plane, which a pattern without Unicode mode cannot
        /// name).
        #[test]
        fn names_matching_the_documented_pattern_parse(
            raw in proptest::string::string_regex(
                TAG_NAME_PATTERN.trim_start_matches('^').trim_end_matches('$')
            ).unwrap()
        ) {
            let nfc: String = without_invisible_format(&raw).nfc().collect();
            let collapsed = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
            let fits = (1..=TAG_NAME_MAX_CHARS).contains(&collapsed.chars().count());
            prop_assert_eq!(TagName::parse(&raw).is_ok(), fits, "{:?}", raw);
        }

        /// White space around the longest title is taken (and trimmed).
        #[test]
        fn titles_padded_with_white_space_parse(
            title in "[a-z]{1,200}", before in "[ \t\n]{0,3}", after in "[ \t\n]{0,3}"
        ) {
            let sent = format!("{before}{title}{after}");
            prop_assert!(crate::domain::text::PostTitle::parse(&sent).is_ok());
        }
    }

    /// ...so texts measured once trimmed are not bounded as sent: a client
    /// checking `maxLength` would refuse what the API takes.
    #[test]
    fn trimmed_texts_have_no_max_length() {
        for schema in [
            title_schema(),
            user_name_schema(),
            key_name_schema(),
            email_schema(),
        ] {
            assert_eq!(schema.max_length, None, "{:?}", schema.description);
        }
    }
}
