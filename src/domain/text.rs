//! Free text: post titles, and what every stored text must be.

use super::limits::TITLE_MAX_CHARS;

/// A post title: trimmed, 1 to [`TITLE_MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTitle(String);

impl PostTitle {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > TITLE_MAX_CHARS {
            return Err(length_message(TITLE_MAX_CHARS));
        }
        if has_nul(trimmed) {
            return Err(NUL_MESSAGE.to_owned());
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a text of 1 to `max` characters is told when it is not.
pub fn length_message(max: usize) -> String {
    format!("must be 1 to {max} characters")
}

/// What an optional text of at most `max` characters is told when it is
/// longer.
pub fn at_most_message(max: usize) -> String {
    format!("must be at most {max} characters")
}

/// PostgreSQL cannot store U+0000 in text, so no stored text may hold it.
pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

pub const NUL_MESSAGE: &str = "must not contain the NUL character (U+0000)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(PostTitle::parse("  Hi  ").unwrap().as_str(), "Hi");
        assert!(PostTitle::parse("   ").is_err());
        assert!(PostTitle::parse(&"x".repeat(200)).is_ok());
        assert_eq!(
            PostTitle::parse(&"x".repeat(201)).unwrap_err(),
            "must be 1 to 200 characters"
        );
    }
}
