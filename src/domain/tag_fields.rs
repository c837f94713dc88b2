//! What a tag page shows beside its posts: an image, a colour, and the
//! title and description search engines and link previews read.

use url::Url;

use super::limits::{
    TAG_FEATURE_IMAGE_MAX_CHARS, TAG_META_DESCRIPTION_MAX_CHARS, TAG_META_TITLE_MAX_CHARS,
};
use super::text::{NUL_MESSAGE, at_most_message, has_nul};

/// A feature image: an absolute `http` or `https` URL with a host, at most
/// [`TAG_FEATURE_IMAGE_MAX_CHARS`] characters, kept as the URL parser
/// writes it (`HTTPS://Example.com` is `https://example.com/`), so that
/// what is stored is what a browser would fetch.
pub fn feature_image(raw: &str) -> Result<String, String> {
    absolute_http_url(raw, TAG_FEATURE_IMAGE_MAX_CHARS)
}

/// An absolute `http` or `https` URL with a host, at most `max` characters
/// as given and as the URL parser writes it, which is what is kept.
pub fn absolute_http_url(raw: &str, max: usize) -> Result<String, String> {
    const MESSAGE: &str = "must be an absolute http or https URL";
    if raw.chars().count() > max {
        return Err(at_most_message(max));
    }
    let url = Url::parse(raw).map_err(|_| MESSAGE.to_owned())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(MESSAGE.to_owned());
    }
    let written: String = url.into();
    if written.chars().count() > max {
        return Err(at_most_message(max));
    }
    Ok(written)
}

/// An accent colour: `#rrggbb` in hexadecimal digits, kept in lower case.
pub fn accent_color(raw: &str) -> Result<String, String> {
    match raw.strip_prefix('#') {
        Some(digits) if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(raw.to_ascii_lowercase())
        }
        _ => Err("must be a colour written `#rrggbb`, in hexadecimal".to_owned()),
    }
}

/// The title search engines and link previews show for the tag page.
pub fn meta_title(raw: &str) -> Result<String, String> {
    bounded_text(raw, TAG_META_TITLE_MAX_CHARS)
}

/// The description search engines and link previews show for the tag page.
pub fn meta_description(raw: &str) -> Result<String, String> {
    bounded_text(raw, TAG_META_DESCRIPTION_MAX_CHARS)
}

fn bounded_text(raw: &str, max: usize) -> Result<String, String> {
    if raw.chars().count() > max {
        return Err(at_most_message(max));
    }
    if has_nul(raw) {
        return Err(NUL_MESSAGE.to_owned());
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn feature_images_are_absolute_http_urls() {
        assert_eq!(
            feature_image("https://cdn.example.com/rust.png").unwrap(),
            "https://cdn.example.com/rust.png"
        );
        assert_eq!(
            feature_image("HTTP://Example.COM").unwrap(),
            "http://example.com/"
        );
        for refused in [
            "",
            "/images/rust.png",
            "cdn.example.com/rust.png",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://example.com/rust.png",
            "file:///etc/passwd",
            "https://",
        ] {
            assert!(feature_image(refused).is_err(), "{refused:?}");
        }
        let long = format!("https://example.com/{}", "a".repeat(2000));
        assert_eq!(
            feature_image(&long).unwrap_err(),
            "must be at most 2000 characters"
        );
    }

    #[test]
    fn accent_colours_are_six_hex_digits() {
        assert_eq!(accent_color("#FF5733").unwrap(), "#ff5733");
        assert_eq!(accent_color("#0a0b0c").unwrap(), "#0a0b0c");
        for refused in [
            "", "ff5733", "#fff", "#ff57331", "#gg5733", "red", "# ff573",
        ] {
            assert!(accent_color(refused).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn meta_texts_are_bounded_and_storable() {
        assert!(meta_title(&"é".repeat(300)).is_ok());
        assert_eq!(
            meta_title(&"é".repeat(301)).unwrap_err(),
            "must be at most 300 characters"
        );
        assert!(meta_description(&"x".repeat(500)).is_ok());
        assert!(meta_description(&"x".repeat(501)).is_err());
        assert!(meta_title("a\0b").is_err());
    }

    proptest! {
        /// What is kept parses again to itself: stored values are valid.
        #[test]
        fn kept_feature_images_are_valid_as_kept(raw in "(https?|ftp)://[a-zA-Z0-9.-]{0,20}(/[ -~]{0,30})?") {
            if let Ok(kept) = feature_image(&raw) {
                prop_assert_eq!(feature_image(&kept), Ok(kept.clone()));
                prop_assert!(kept.starts_with("http://") || kept.starts_with("https://"));
            }
        }
    }
}
