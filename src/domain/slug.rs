//! Slugs: what a post or tag is addressed by in URLs, and how one is made
//! from a title or a name.

use std::fmt;

use super::limits::SLUG_MAX_CHARS;
use super::tag_name::{INTERNAL_MARK, TagName};
use super::text::PostTitle;

/// Room kept at the end of a generated slug for a `-N` clash suffix.
const SLUG_SUFFIX_ROOM: usize = 10;

/// A URL slug: `^[a-z0-9]+(-[a-z0-9]+)*$`, at most [`SLUG_MAX_CHARS`]
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if is_valid_slug(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "must be lower-case letters and digits in groups joined by single hyphens, \
                 at most {SLUG_MAX_CHARS} characters"
            ))
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
/// `c-plus-plus` and `c-sharp` instead of all collapsing into `c`. An
/// internal tag's slug is `hash-` and the slug of the rest: `#later` is
/// `hash-later`.
pub fn tag_slug_base(name: &TagName) -> String {
    match name.display().strip_prefix(INTERNAL_MARK) {
        Some(rest) => match spelled_slug(rest) {
            rest if rest.is_empty() => INTERNAL_FALLBACK.to_owned(),
            rest => bounded_slug(&format!("hash-{rest}"), INTERNAL_FALLBACK),
        },
        None => bounded_slug(&spelled_slug(name.display()), "tag"),
    }
}

/// The slug of an internal tag whose name is the mark alone.
const INTERNAL_FALLBACK: &str = "hash-tag";

/// `slugify`, with a `+` or `#` that ends a word spelled out.
fn spelled_slug(name: &str) -> String {
    let mut spelled = String::with_capacity(name.len() + 16);
    let mut after_word = false;
    for c in name.chars() {
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
    slug::slugify(&spelled)
}

/// Cuts a slug so that a clash suffix still fits within the limit, and falls
/// back to `fallback` for names with nothing to transliterate.
pub(super) fn bounded_slug(slugified: &str, fallback: &str) -> String {
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
    use proptest::prelude::*;

    use super::*;
    use crate::domain::tag_name::TagVisibility;
    use crate::domain::tag_name::tests::{tag, typed_name};

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
        assert_eq!(tag_slug_base(&tag("Café")), "cafe");
        assert_eq!(tag_slug_base(&tag("🦀")), "crab");
        assert_eq!(tag_slug_base(&tag("日本語")), "ri-ben-yu");
        assert_eq!(tag_slug_base(&tag("!!!")), "tag");
    }

    #[test]
    fn internal_tags_slugs_start_with_hash() {
        assert_eq!(tag_slug_base(&tag("#Later")), "hash-later");
        assert_eq!(tag_slug_base(&tag("# Later")), "hash-later");
        assert_eq!(tag_slug_base(&tag("#C#")), "hash-c-sharp");
        assert_eq!(tag_slug_base(&tag("#")), "hash-tag");
        assert_eq!(tag_slug_base(&tag("#🦀")), "hash-crab");
        assert_eq!(tag_slug_base(&tag("#!!!")), "hash-tag");
        assert_eq!(tag_slug_base(&tag("Later")), "later");
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

    proptest! {
        #[test]
        fn tag_slugs_are_never_empty_and_always_valid(raw in typed_name()) {
            if let Ok(name) = TagName::parse(&raw) {
                let base = tag_slug_base(&name);
                prop_assert!(is_valid_slug(&base), "{raw:?} gave {base:?}");
                prop_assert!(base.len() <= SLUG_MAX_CHARS - SLUG_SUFFIX_ROOM);
                if name.visibility() == TagVisibility::Internal {
                    prop_assert!(base.starts_with("hash-"), "{raw:?} gave {base:?}");
                }
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
