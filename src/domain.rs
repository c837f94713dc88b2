//! Domain values parsed at the edge: once a request has become one of these,
//! the rest of the program can rely on its rules without checking again.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

pub const TITLE_MAX_CHARS: usize = 200;
pub const EXCERPT_MAX_CHARS: usize = 500;
pub const TAG_NAME_MAX_CHARS: usize = 50;
pub const SLUG_MAX_CHARS: usize = 200;
pub const MAX_TAGS_PER_POST: usize = 25;

/// Room kept at the end of a generated slug for a `-N` clash suffix.
const SLUG_SUFFIX_ROOM: usize = 10;

/// A post title: trimmed, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTitle(String);

impl PostTitle {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > TITLE_MAX_CHARS {
            return Err("must be 1 to 200 characters");
        }
        if has_nul(trimmed) {
            return Err(NUL_MESSAGE);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// PostgreSQL cannot store U+0000 in text, so no stored text may hold it.
pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

pub const NUL_MESSAGE: &str = "must not contain the NUL character (U+0000)";

/// A tag name, normalised: Unicode NFC, trimmed, inner runs of white space
/// collapsed to one space. `key` is the lower-cased form that identifies the
/// tag; `display` keeps the author's casing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName {
    display: String,
    key: String,
}

impl TagName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let nfc: String = raw.nfc().collect();
        if nfc.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err("must not contain control characters");
        }
        let display = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = display.chars().count();
        if chars == 0 || chars > TAG_NAME_MAX_CHARS {
            return Err("must be 1 to 50 characters");
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
}

/// The key form of a name prefix typed for autocomplete: like a tag key,
/// but a trailing space is kept (`"web "` should not match `"webassembly"`).
pub fn tag_prefix_key(raw: &str) -> String {
    let nfc: String = raw.nfc().collect();
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
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|name| seen.insert(name.key.clone()))
        .collect()
}

/// A URL slug: `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if is_valid_slug(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(
                "must be lower-case letters and digits in groups joined by single hyphens, at most 200 characters",
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= SLUG_MAX_CHARS
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The slug a post title asks for, before clashes are resolved.
pub fn post_slug_base(title: &PostTitle) -> String {
    bounded_slug(&slug::slugify(title.as_str()), "post")
}

/// The slug a tag name asks for, before clashes are resolved. A `+` or `#`
/// that ends a word is spelled out so that `C++` and `C#` read as
/// `c-plus-plus` and `c-sharp` instead of all collapsing into `c`.
pub fn tag_slug_base(name: &TagName) -> String {
    let mut spelled = String::with_capacity(name.display().len() + 16);
    let mut after_word = false;
    for c in name.display().chars() {
        match c {
            '+' if after_word => spelled.push_str(" plus "),
            '#' if after_word => spelled.push_str(" sharp "),
            _ => {
                spelled.push(c);
                after_word = c.is_alphanumeric();
                continue;
            }
        }
        // `C++`: the second `+` also ends the word it follows.
        after_word = true;
    }
    bounded_slug(&slug::slugify(&spelled), "tag")
}

/// Cuts a slug so that a clash suffix still fits within the limit, and falls
/// back to `fallback` for names with nothing to transliterate.
fn bounded_slug(slugified: &str, fallback: &str) -> String {
    let limit = SLUG_MAX_CHARS - SLUG_SUFFIX_ROOM;
    // `slugify` emits ASCII only, so byte offsets are character offsets.
    let cut = if slugified.len() > limit {
        slugified[..limit].trim_end_matches('-')
    } else {
        slugified
    };
    if cut.is_empty() {
        fallback.to_owned()
    } else {
        cut.to_owned()
    }
}

/// The first free slug among `base`, `base-2`, `base-3`, … given the slugs
/// already taken (any strings; those unrelated to `base` are ignored).
pub fn first_free_slug<'a>(base: &str, taken: impl IntoIterator<Item = &'a str>) -> String {
    let mut base_taken = false;
    let mut suffixes = std::collections::HashSet::new();
    for slug in taken {
        if slug == base {
            base_taken = true;
        } else if let Some(n) = slug
            .strip_prefix(base)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|digits| digits.parse::<u64>().ok())
        {
            suffixes.insert(n);
        }
    }
    if !base_taken {
        return base.to_owned();
    }
    let n = (2u64..).find(|n| !suffixes.contains(n)).unwrap_or(2);
    format!("{base}-{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(raw: &str) -> TagName {
        TagName::parse(raw).unwrap()
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
        assert!(TagName::parse(&"é".repeat(51)).is_err());
        // Collapsing happens before counting.
        assert!(TagName::parse(&format!("{}      {}", "a".repeat(24), "b".repeat(25))).is_ok());
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

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(PostTitle::parse("  Hi  ").unwrap().as_str(), "Hi");
        assert!(PostTitle::parse("   ").is_err());
        assert!(PostTitle::parse(&"x".repeat(200)).is_ok());
        assert!(PostTitle::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn slug_pattern() {
        for ok in ["a", "hello-rust", "a1-b2-c3", &"a".repeat(200)] {
            assert!(is_valid_slug(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a_b",
            "é",
            "a b",
            &"a".repeat(201),
        ] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn tag_slugs_keep_distinct_names_apart_where_they_can() {
        assert_eq!(tag_slug_base(&tag("C")), "c");
        assert_eq!(tag_slug_base(&tag("C++")), "c-plus-plus");
        assert_eq!(tag_slug_base(&tag("C#")), "c-sharp");
        assert_eq!(tag_slug_base(&tag("#rust")), "rust");
        assert_eq!(tag_slug_base(&tag("Café")), "cafe");
        assert_eq!(tag_slug_base(&tag("🦀")), "crab");
        assert_eq!(tag_slug_base(&tag("日本語")), "ri-ben-yu");
        assert_eq!(tag_slug_base(&tag("!!!")), "tag");
    }

    #[test]
    fn post_slugs_come_from_the_title() {
        let title = PostTitle::parse("Hello, Rust!").unwrap();
        assert_eq!(post_slug_base(&title), "hello-rust");
        let empty = PostTitle::parse("???").unwrap();
        assert_eq!(post_slug_base(&empty), "post");
    }

    #[test]
    fn generated_slugs_leave_room_for_a_suffix() {
        let long = PostTitle::parse(&"word ".repeat(40)).unwrap();
        let base = post_slug_base(&long);
        assert!(base.len() <= SLUG_MAX_CHARS - SLUG_SUFFIX_ROOM);
        assert!(is_valid_slug(&base));
        assert!(is_valid_slug(&first_free_slug(&base, [base.as_str()])));
    }

    #[test]
    fn first_free_slug_takes_the_lowest_free_suffix() {
        assert_eq!(first_free_slug("a", []), "a");
        assert_eq!(first_free_slug("a", ["a-2"]), "a");
        assert_eq!(first_free_slug("a", ["a"]), "a-2");
        assert_eq!(first_free_slug("a", ["a", "a-2", "a-3"]), "a-4");
        assert_eq!(first_free_slug("a", ["a", "a-3"]), "a-2");
        assert_eq!(first_free_slug("a", ["a", "a-b", "ab", "a-2-2"]), "a-2");
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Names as people type them: letters of several scripts, digits,
        /// punctuation, the `+`/`#` of `C++`/`C#`, emoji, and white space of
        /// several kinds, tabs and newlines among them.
        fn typed_name() -> impl Strategy<Value = String> {
            proptest::string::string_regex(
                "[a-zA-Z0-9 \t\n+#._'%\\\\éÉßçÇ日本語ÅΩωДд🦀\u{00A0}\u{3000}-]{0,60}",
            )
            .unwrap()
        }

        proptest! {
            #[test]
            fn tag_names_parse_to_a_normal_form(raw in typed_name()) {
                let Ok(name) = TagName::parse(&raw) else {
                    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
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

            #[test]
            fn tag_slugs_are_never_empty_and_always_valid(raw in typed_name()) {
                if let Ok(name) = TagName::parse(&raw) {
                    let base = tag_slug_base(&name);
                    prop_assert!(is_valid_slug(&base), "{raw:?} gave {base:?}");
                    prop_assert!(base.len() <= SLUG_MAX_CHARS - SLUG_SUFFIX_ROOM);
                }
            }

            #[test]
            fn post_slugs_are_never_empty_and_always_valid(raw in "\\PC{1,250}") {
                if let Ok(title) = PostTitle::parse(&raw) {
                    let base = post_slug_base(&title);
                    prop_assert!(is_valid_slug(&base), "{raw:?} gave {base:?}");
                    prop_assert!(base.len() <= SLUG_MAX_CHARS - SLUG_SUFFIX_ROOM);
                }
            }

            #[test]
            fn a_clash_takes_the_lowest_free_suffix(
                base in "[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}",
                taken_suffixes in proptest::collection::btree_set(2u64..40, 0..30),
                base_taken: bool,
                others in proptest::collection::vec("[a-z0-9-]{1,12}", 0..10),
            ) {
                let mut taken: Vec<String> =
                    taken_suffixes.iter().map(|n| format!("{base}-{n}")).collect();
                if base_taken {
                    taken.push(base.clone());
                }
                taken.extend(others.iter().filter(|other| {
                    // Unrelated slugs only: not the base nor one of its suffixes.
                    let suffix = other.strip_prefix(base.as_str());
                    let is_base_or_numbered = suffix.is_some_and(|rest| {
                        rest.is_empty()
                            || rest
                                .strip_prefix('-')
                                .is_some_and(|n| n.parse::<u64>().is_ok())
                    });
                    !is_base_or_numbered
                }).cloned());
                let free = first_free_slug(&base, taken.iter().map(String::as_str));
                prop_assert!(is_valid_slug(&free));
                prop_assert!(!taken.contains(&free), "{free} is taken");
                if base_taken {
                    let lowest = (2u64..).find(|n| !taken_suffixes.contains(n)).unwrap();
                    prop_assert_eq!(free, format!("{base}-{lowest}"));
                } else {
                    prop_assert_eq!(free, base);
                }
            }
        }
    }
}
