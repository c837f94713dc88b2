//! `DATABASE_URL`, and the backend it names.

use std::fmt;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// `DATABASE_URL`, with the backend read from its scheme: `postgres://` and
/// `postgresql://` are PostgreSQL; anything else is a SQLite file path
/// (optionally written `sqlite://PATH`).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    url: String,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                url: raw.to_owned(),
            });
        }
        let path = raw.strip_prefix("sqlite://").unwrap_or(raw);
        if path.is_empty() {
            return Err(
                "DATABASE_URL is empty: give a SQLite file path or a postgres:// URL".into(),
            );
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(format!(
                "DATABASE_URL has the unsupported scheme `{scheme}://`: give a SQLite file path or a postgres:// URL"
            ));
        }
        Ok(Self {
            backend: Backend::Sqlite,
            url: path.to_owned(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }
}

/// Hides a PostgreSQL password when the URL is logged.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.backend, self.url.split_once("://")) {
            (Backend::Postgres, Some((scheme, rest))) => match rest.split_once('@') {
                Some((credentials, host)) => match credentials.split_once(':') {
                    Some((user, _password)) => write!(f, "{scheme}://{user}:***@{host}"),
                    None => write!(f, "{scheme}://{credentials}@{host}"),
                },
                None => write!(f, "{}", self.url),
            },
            _ => write!(f, "sqlite://{}", self.url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_comes_from_the_url_scheme() {
        let pg = DatabaseUrl::parse("postgres://u:secret@localhost/blog").unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        assert_eq!(pg.to_string(), "postgres://u:***@localhost/blog");
        let no_password = DatabaseUrl::parse("postgres://u@localhost/blog").unwrap();
        assert_eq!(no_password.to_string(), "postgres://u@localhost/blog");
        let pg2 = DatabaseUrl::parse("postgresql://localhost/blog").unwrap();
        assert_eq!(pg2.backend(), Backend::Postgres);

        let file = DatabaseUrl::parse("./blog.db").unwrap();
        assert_eq!(file.backend(), Backend::Sqlite);
        assert_eq!(file.as_str(), "./blog.db");
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap().as_str(),
            "/tmp/x.db"
        );

        assert!(DatabaseUrl::parse("mysql://localhost/blog").is_err());
        assert!(DatabaseUrl::parse("  ").is_err());
    }
}
