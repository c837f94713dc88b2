//! People: roles, and what a user's name, email and password must be.

use std::fmt;

use super::limits::{EMAIL_MAX_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USER_NAME_MAX_CHARS};
use super::slug::bounded_slug;
use super::text::{NUL_MESSAGE, has_nul, length_message};

/// The owner's id: the `people` migration creates the owner as user 1.
pub const OWNER_ID: i64 = 1;

/// What a user may do, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Contributor,
    Author,
    Editor,
    Administrator,
}

impl Role {
    /// Every role by name, least first.
    pub const NAMES: [&'static str; 4] = ["contributor", "author", "editor", "administrator"];

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "contributor" => Role::Contributor,
            "author" => Role::Author,
            "editor" => Role::Editor,
            "administrator" => Role::Administrator,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// What a request naming an unknown role is told.
    pub fn unknown_message() -> String {
        format!("must be one of {}", Self::NAMES.join(", "))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user's display name: trimmed, 1 to [`USER_NAME_MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName(String);

impl UserName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > USER_NAME_MAX_CHARS {
            return Err(length_message(USER_NAME_MAX_CHARS));
        }
        if has_nul(trimmed) {
            return Err(NUL_MESSAGE.to_owned());
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The slug the name asks for, before clashes are resolved.
    pub fn slug_base(&self) -> String {
        bounded_slug(&slug::slugify(&self.0), "user")
    }
}

/// An email address as given (trimmed), and its identity: the address
/// lower-cased, so that `Ann@Example.com` and `ann@example.com` are one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    address: String,
    key: String,
}

impl Email {
    /// A plausible address: one `@` with something on each side, a dot in
    /// the domain, no spaces or control characters. Whether it receives
    /// mail is not this program's to know.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let address = raw.trim();
        let refused =
            || format!("must be an email address of at most {EMAIL_MAX_CHARS} characters");
        if address.chars().count() > EMAIL_MAX_CHARS
            || address.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(refused());
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Err(refused());
        };
        let domain_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|label| !label.is_empty())
            && !domain.contains('@');
        if local.is_empty() || local.contains('@') || !domain_ok {
            return Err(refused());
        }
        Ok(Self {
            address: address.to_owned(),
            key: address.to_lowercase(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The lower-cased address: what is unique.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// What a presented email is looked up by, whether or not it parses: a
/// sign-in with a malformed email is refused like any unknown one.
pub fn email_key(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A new password: [`PASSWORD_MIN_CHARS`] to [`PASSWORD_MAX_CHARS`]
/// characters, taken as given (spaces count). Its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars) {
            return Err(format!(
                "must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters"
            ));
        }
        if has_nul(raw) {
            return Err(NUL_MESSAGE.to_owned());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_order_by_rights() {
        for name in Role::NAMES {
            assert_eq!(Role::parse(name).unwrap().as_str(), name);
        }
        assert!(Role::parse("Administrator").is_none());
        assert!(Role::Contributor < Role::Author && Role::Editor < Role::Administrator);
    }

    #[test]
    fn emails_are_plausible_and_keyed_lower_case() {
        let email = Email::parse(" Ann@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ann@Example.COM");
        assert_eq!(email.key(), "ann@example.com");
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "ann@@x.io",
            "ann@x..io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords_are_bounded_and_never_shown() {
        assert!(Password::parse("123456789").is_err());
        assert!(Password::parse("1234567890").is_ok());
        assert!(Password::parse(&"x".repeat(201)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret-password").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn names_make_slugs() {
        assert_eq!(
            UserName::parse("  Zoë Quinn ").unwrap().slug_base(),
            "zoe-quinn"
        );
        assert_eq!(UserName::parse("日本").unwrap().slug_base(), "ri-ben");
        assert_eq!(UserName::parse("!!!").unwrap().slug_base(), "user");
        assert!(UserName::parse(" ").is_err());
    }
}
