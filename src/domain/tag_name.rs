//! Tag names: one tag whatever the casing and spacing it is written in.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use super::limits::TAG_NAME_MAX_CHARS;
use super::text::length_message;

/// What starts the name of an internal tag: one the public never sees.
pub const INTERNAL_MARK: char = '#';

/// A tag name, normalised: invisible format characters removed, Unicode
/// NFC, trimmed, inner runs of white space collapsed to one space. `key` is
/// the lower-cased form that identifies the tag; `display` keeps the
/// author's casing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName {
    display: String,
    key: String,
}

impl TagName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let nfc: String = without_invisible_format(raw).nfc().collect();
        if nfc.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err("must not contain control characters".to_owned());
        }
        let display = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = display.chars().count();
        if chars == 0 || chars > TAG_NAME_MAX_CHARS {
            return Err(length_message(TAG_NAME_MAX_CHARS));
        }
        // Lower-casing can leave a string that is no longer NFC; normalise again
        // so that equal keys really are equal byte strings.
        let key = display.to_lowercase().nfc().collect();
        Ok(Self { display, key })
    }

    pub fn display(&self) -> &str {
        &self.display
    }

    /// The case-insensitive identity of the tag.
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn visibility(&self) -> TagVisibility {
        TagVisibility::of_name(&self.display)
    }
}

/// Whether the public sees a tag: written in its name, so that `#Later`
/// and `Later` are two tags, one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagVisibility {
    Public,
    /// For organising and theming: shown to staff, never to the public,
    /// though the public may filter posts by it.
    Internal,
}

impl TagVisibility {
    /// The visibility of a tag with this (normalised) name.
    pub fn of_name(name: &str) -> Self {
        if name.starts_with(INTERNAL_MARK) {
            TagVisibility::Internal
        } else {
            TagVisibility::Public
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TagVisibility::Public => "public",
            TagVisibility::Internal => "internal",
        }
    }

    /// Whether a caller sees tags of this visibility: every authenticated
    /// caller sees every tag; the public, public ones.
    pub fn is_seen(self, authenticated: bool) -> bool {
        authenticated || self == TagVisibility::Public
    }
}

/// Whether a character is an invisible format character (Unicode category
/// Cf: zero-width spaces and joiners, direction marks and overrides, the
/// BOM, the soft hyphen). Tag names lose them, so that `x\u{200B}y` is not a
/// second tag that looks like `xy`.
fn is_invisible_format(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
}

/// The text without its invisible format characters.
pub fn without_invisible_format(raw: &str) -> String {
    raw.chars().filter(|&c| !is_invisible_format(c)).collect()
}

/// The key form of a name prefix typed for autocomplete: like a tag key,
/// but a trailing space is kept (`"web "` should not match `"webassembly"`).
pub fn tag_prefix_key(raw: &str) -> String {
    let nfc: String = without_invisible_format(raw).nfc().collect();
    let ends_with_space = nfc.ends_with(char::is_whitespace);
    let mut key: String = nfc
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .nfc()
        .collect();
    if ends_with_space && !key.is_empty() {
        key.push(' ');
    }
    key
}

/// Removes later duplicates (by key), keeping the first occurrence's position.
pub fn dedupe_tag_names(names: Vec<TagName>) -> Vec<TagName> {
    let mut seen = HashSet::new();
    names
        .into_iter()
        .filter(|name| seen.insert(name.key.clone()))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    pub(crate) fn tag(raw: &str) -> TagName {
        TagName::parse(raw).unwrap()
    }

    /// Names as people type them: letters of several scripts, digits,
    /// punctuation, the `+`/`#` of `C++`/`C#`, emoji, white space of
    /// several kinds (tabs and newlines among them), and invisible format
    /// characters pasted along.
    pub(crate) fn typed_name() -> impl Strategy<Value = String> {
        proptest::string::string_regex(
            "[a-zA-Z0-9 \t\n+#._'%\\\\éÉßçÇ日本語ÅΩωДд🦀\u{00A0}\u{3000}\u{200B}\u{200D}\u{FEFF}-]{0,60}",
        )
        .unwrap()
    }

    #[test]
    fn tag_names_share_a_key_whatever_their_case_and_spacing() {
        assert_eq!(tag("Rust").key(), "rust");
        assert_eq!(tag(" RUST ").key(), "rust");
        assert_eq!(tag("Rust").display(), "Rust");
        assert_eq!(tag("  Web \t\n  Dev ").display(), "Web Dev");
        assert_eq!(tag("  Web \t\n  Dev ").key(), "web dev");
    }

    #[test]
    fn tag_names_are_nfc_normalised() {
        let decomposed = "Cafe\u{301}";
        let composed = "Caf\u{e9}";
        assert_eq!(tag(decomposed).display(), composed);
        assert_eq!(tag(decomposed).key(), tag(composed).key());
    }

    #[test]
    fn tag_names_reject_control_characters_but_not_white_space() {
        assert!(TagName::parse("a\u{0}b").is_err());
        assert!(TagName::parse("a\u{7f}b").is_err());
        assert!(TagName::parse("a\tb").is_ok());
    }

    #[test]
    fn tag_names_are_1_to_50_characters_after_normalisation() {
        assert!(TagName::parse("").is_err());
        assert!(TagName::parse(" \t ").is_err());
        assert!(TagName::parse(&"é".repeat(50)).is_ok());
        assert_eq!(
            TagName::parse(&"é".repeat(51)).unwrap_err(),
            "must be 1 to 50 characters"
        );
        // Collapsing happens before counting.
        assert!(TagName::parse(&format!("{}      {}", "a".repeat(24), "b".repeat(25))).is_ok());
    }

    #[test]
    fn invisible_format_characters_are_removed() {
        for invisible in [
            '\u{200B}', '\u{200D}', '\u{200E}', '\u{202E}', '\u{FEFF}', '\u{AD}',
        ] {
            let name = tag(&format!("x{invisible}y"));
            assert_eq!(name, tag("xy"), "{invisible:?}");
        }
        assert_eq!(tag("\u{FEFF}Rust\u{200B}").display(), "Rust");
        assert_eq!(
            TagName::parse("\u{200B}\u{200D} \u{2060}").unwrap_err(),
            "must be 1 to 50 characters"
        );
        assert_eq!(tag_prefix_key("we\u{200B}b"), "web");
    }

    #[test]
    fn names_starting_with_a_hash_are_internal() {
        assert_eq!(tag("#Later").visibility(), TagVisibility::Internal);
        assert_eq!(tag("Later").visibility(), TagVisibility::Public);
        assert_eq!(tag("C#").visibility(), TagVisibility::Public);
        assert_ne!(tag("#Later").key(), tag("Later").key());
        // Trimmed first: the mark must lead what is kept.
        assert_eq!(tag("  #later").visibility(), TagVisibility::Internal);
        assert!(TagVisibility::Internal.is_seen(true));
        assert!(!TagVisibility::Internal.is_seen(false));
        assert!(TagVisibility::Public.is_seen(false));
    }

    #[test]
    fn prefixes_are_matched_like_keys() {
        assert_eq!(tag_prefix_key("  WeB"), "web");
        assert_eq!(tag_prefix_key("web  "), "web ");
        assert_eq!(tag_prefix_key("Web \t DEV"), "web dev");
        assert_eq!(tag_prefix_key("   "), "");
    }

    #[test]
    fn duplicate_names_keep_the_first_occurrence() {
        let names = vec![tag("Rust"), tag("web"), tag("RUST"), tag("Web"), tag("db")];
        let kept: Vec<_> = dedupe_tag_names(names)
            .iter()
            .map(|t| t.display().to_owned())
            .collect();
        assert_eq!(kept, ["Rust", "web", "db"]);
    }

    proptest! {
        #[test]
        fn tag_names_parse_to_a_normal_form(raw in typed_name()) {
            let Ok(name) = TagName::parse(&raw) else {
                let collapsed = without_invisible_format(&raw).split_whitespace().collect::<Vec<_>>().join(" ");
                let length = collapsed.nfc().count();
                prop_assert!(length == 0 || length > TAG_NAME_MAX_CHARS, "{raw:?} was refused");
                return Ok(());
            };
            let display = name.display();
            prop_assert!((1..=TAG_NAME_MAX_CHARS).contains(&display.chars().count()));
            prop_assert_eq!(display.trim(), display);
            prop_assert!(!display.contains("  "));
            prop_assert!(!display.contains(['\t', '\n']));
            // Parsing is idempotent, and the key ignores case and spacing.
            prop_assert_eq!(&TagName::parse(display).unwrap(), &name);
            let shouted = format!("  {}\t", raw.to_ascii_uppercase());
            let shouted = TagName::parse(&shouted).unwrap();
            prop_assert_eq!(shouted.key(), name.key());
            prop_assert_eq!(name.key(), display.to_lowercase().nfc().collect::<String>());
        }
    }
}
