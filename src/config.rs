//! Settings from the environment, read once at start and passed explicitly.

use std::fmt;
use std::time::Duration;

use subtle::ConstantTimeEq;

use crate::db::DatabaseUrl;
use crate::domain::freshness::{Lifetimes, MAX_LIFETIME_SECS};

pub const DEFAULT_DATABASE_URL: &str = "./blog.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: a SQLite file path (the default, `./blog.db`) or a
    /// `postgres://` URL.
    pub database_url: DatabaseUrl,
    /// `BIND`: the address to listen on.
    pub bind: String,
    /// `ADMIN_TOKEN`: the bearer token for writes and non-visible reads.
    /// Without it the API is read-only.
    pub admin_token: Option<AdminToken>,
    /// `DATABASE_POOL_SIZE`: connections per instance.
    pub pool_size: u32,
    /// `DATABASE_TIMEOUT_SECS`: how long a request waits for a connection
    /// before it is answered 503.
    pub pool_timeout: Duration,
    /// `MAX_BODY_BYTES`: the largest request body accepted.
    pub max_body_bytes: usize,
    /// `WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `HEADER_TIMEOUT_SECS`: how long a client may take to send a
    /// request's headers before it is answered 408 and disconnected.
    pub header_timeout: Duration,
    /// `BODY_TIMEOUT_SECS`: how long a client may take to send a request's
    /// body before it is answered 408.
    pub body_timeout: Duration,
    /// `METRICS_BIND`: serve `GET /metrics` on this address alone, apart
    /// from the API (default: unset, `/metrics` is served beside the API).
    pub metrics_bind: Option<String>,
    /// `SESSION_TTL_HOURS`: how long a session lasts (default 720, 30 days).
    pub session_ttl: Duration,
    /// `SHUTDOWN_TIMEOUT_SECS`: on SIGTERM, how long requests in flight may
    /// take to finish before the process exits anyway.
    pub shutdown_timeout: Duration,
    /// `CACHE_MAX_AGE_SECS`, `CACHE_SHARED_MAX_AGE_SECS`,
    /// `CACHE_STALE_SECS`: how long the public's answers may be kept.
    pub cache_lifetimes: Lifetimes,
    /// `CORS_ALLOWED_ORIGINS`: origins (`https://admin.example.com`,
    /// comma-separated) whose pages may call the API from a browser.
    pub cors_allowed_origins: Vec<String>,
    /// `PUBLIC_BASE_URL`: where the blog's pages are, for links in feeds
    /// (default `http://` and `BIND`), without a trailing `/`.
    pub public_base_url: String,
    /// `POST_URL_TEMPLATE`: a post's page under `PUBLIC_BASE_URL`, with
    /// `{slug}` (and `{id}`) filled in (default `/posts/{slug}`).
    pub post_url_template: String,
}

/// The admin token. Its `Debug` output is redacted so that it cannot leak
/// into logs through a configuration dump.
#[derive(Clone)]
pub struct AdminToken(String);

impl AdminToken {
    /// `None` for an empty token: an empty secret would admit anyone who
    /// sends `Authorization: Bearer ` with nothing after it.
    pub fn new(token: String) -> Option<Self> {
        (!token.is_empty()).then_some(Self(token))
    }

    /// Constant time in the presented token's length, whatever the
    /// expected token is, so timing reveals neither its bytes nor its length.
    pub fn matches(&self, presented: &str) -> bool {
        let expected = self.0.as_bytes();
        let presented = presented.as_bytes();
        let mut equal = expected.len().ct_eq(&presented.len());
        for (i, byte) in presented.iter().enumerate() {
            equal &= byte.ct_eq(&expected[i % expected.len()]);
        }
        equal.into()
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(***)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    name: &'static str,
    message: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let bind = get("BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let lifetime =
            |name, default| parse_number(name, get(name), default, 0..=MAX_LIFETIME_SECS);
        let defaults = Lifetimes::default();
        Ok(Config {
            database_url: DatabaseUrl::parse(&database_url).map_err(|message| ConfigError {
                name: "DATABASE_URL",
                message,
            })?,
            public_base_url: public_base_url(get("PUBLIC_BASE_URL"), &bind)?,
            bind,
            admin_token: get("ADMIN_TOKEN").and_then(AdminToken::new),
            pool_size: parse_number(
                "DATABASE_POOL_SIZE",
                get("DATABASE_POOL_SIZE"),
                10,
                1..=1000,
            )?,
            pool_timeout: seconds("DATABASE_TIMEOUT_SECS", get("DATABASE_TIMEOUT_SECS"), 5)?,
            max_body_bytes: parse_number(
                "MAX_BODY_BYTES",
                get("MAX_BODY_BYTES"),
                1 << 20,
                1..=(1 << 30),
            )?,
            workers: get("WORKERS")
                .map(|raw| parse_number("WORKERS", Some(raw), 1, 1..=1024))
                .transpose()?,
            header_timeout: seconds("HEADER_TIMEOUT_SECS", get("HEADER_TIMEOUT_SECS"), 5)?,
            body_timeout: seconds("BODY_TIMEOUT_SECS", get("BODY_TIMEOUT_SECS"), 15)?,
            metrics_bind: get("METRICS_BIND"),
            session_ttl: Duration::from_secs(
                3600 * parse_number(
                    "SESSION_TTL_HOURS",
                    get("SESSION_TTL_HOURS"),
                    720u64,
                    1..=24 * 366,
                )?,
            ),
            shutdown_timeout: seconds("SHUTDOWN_TIMEOUT_SECS", get("SHUTDOWN_TIMEOUT_SECS"), 30)?,
            cache_lifetimes: Lifetimes {
                max_age: lifetime("CACHE_MAX_AGE_SECS", defaults.max_age)?,
                shared_max_age: lifetime("CACHE_SHARED_MAX_AGE_SECS", defaults.shared_max_age)?,
                stale: lifetime("CACHE_STALE_SECS", defaults.stale)?,
            },
            cors_allowed_origins: origins(get("CORS_ALLOWED_ORIGINS"))?,
            post_url_template: post_url_template(get("POST_URL_TEMPLATE"))?,
        })
    }
}

/// `PUBLIC_BASE_URL`: an absolute http(s) URL, kept without its trailing `/`.
fn public_base_url(raw: Option<String>, bind: &str) -> Result<String, ConfigError> {
    let raw = raw.unwrap_or_else(|| format!("http://{bind}"));
    let error = |message: &str| ConfigError {
        name: "PUBLIC_BASE_URL",
        message: format!("`{raw}` {message}"),
    };
    let url = url::Url::parse(raw.trim()).map_err(|_| error("is not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(error("is not an http(s) URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(error("must have no query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `POST_URL_TEMPLATE`: a path naming the post by `{slug}` or `{id}`.
fn post_url_template(raw: Option<String>) -> Result<String, ConfigError> {
    let template = raw.map_or_else(|| "/posts/{slug}".to_owned(), |raw| raw.trim().to_owned());
    if !template.starts_with('/') || !(template.contains("{slug}") || template.contains("{id}")) {
        return Err(ConfigError {
            name: "POST_URL_TEMPLATE",
            message: format!(
                "`{template}` must be a path starting with `/` that holds `{{slug}}` or `{{id}}`"
            ),
        });
    }
    Ok(template)
}

/// `CORS_ALLOWED_ORIGINS`: each an origin as browsers send it, scheme and
/// host (and port), nothing after.
fn origins(raw: Option<String>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let serialized = url::Url::parse(origin)
                .ok()
                .filter(|url| matches!(url.scheme(), "http" | "https"))
                .map(|url| url.origin().ascii_serialization());
            match serialized {
                Some(serialized) if serialized == origin.trim_end_matches('/') => Ok(serialized),
                _ => Err(ConfigError {
                    name: "CORS_ALLOWED_ORIGINS",
                    message: format!(
                        "`{origin}` is not an origin such as https://admin.example.com"
                    ),
                }),
            }
        })
        .collect()
}

fn seconds(name: &'static str, raw: Option<String>, default: u64) -> Result<Duration, ConfigError> {
    parse_number(name, raw, default, 1..=3600).map(Duration::from_secs)
}

fn parse_number<T>(
    name: &'static str,
    raw: Option<String>,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(raw) = raw else { return Ok(default) };
    match raw.trim().parse::<T>() {
        Ok(value) if range.contains(&value) => Ok(value),
        _ => Err(ConfigError {
            name,
            message: format!(
                "`{raw}` is not a number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::db::Backend;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_an_embedded_database_on_localhost() {
        let config = config(&[]).unwrap();
        assert_eq!(config.database_url.backend(), Backend::Sqlite);
        assert_eq!(config.database_url.as_str(), "./blog.db");
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert!(config.admin_token.is_none());
        assert_eq!(config.max_body_bytes, 1 << 20);
        assert_eq!(config.header_timeout, Duration::from_secs(5));
        assert_eq!(config.body_timeout, Duration::from_secs(15));
        assert_eq!(config.shutdown_timeout, Duration::from_secs(30));
        assert_eq!(config.session_ttl, Duration::from_secs(720 * 3600));
        assert_eq!(config.cache_lifetimes, Lifetimes::default());
        assert!(config.cors_allowed_origins.is_empty());
        assert_eq!(config.public_base_url, "http://127.0.0.1:8080");
        assert_eq!(config.post_url_template, "/posts/{slug}");
    }

    #[test]
    fn public_delivery_settings_are_checked() {
        let set = config(&[
            (
                "CORS_ALLOWED_ORIGINS",
                "https://admin.example.com, http://localhost:5173/",
            ),
            ("PUBLIC_BASE_URL", "https://blog.example.com/"),
            ("CACHE_SHARED_MAX_AGE_SECS", "300"),
        ])
        .unwrap();
        assert_eq!(
            set.cors_allowed_origins,
            ["https://admin.example.com", "http://localhost:5173"]
        );
        assert_eq!(set.public_base_url, "https://blog.example.com");
        assert_eq!(set.cache_lifetimes.shared_max_age, 300);
        for bad in [
            ("CORS_ALLOWED_ORIGINS", "https://admin.example.com/path"),
            ("CORS_ALLOWED_ORIGINS", "admin.example.com"),
            ("PUBLIC_BASE_URL", "ftp://blog.example.com"),
            ("PUBLIC_BASE_URL", "/blog"),
            ("POST_URL_TEMPLATE", "/posts/"),
            ("CACHE_STALE_SECS", "-1"),
        ] {
            let error = config(&[bad]).unwrap_err();
            assert!(error.to_string().starts_with(bad.0), "{error}");
        }
    }

    #[test]
    fn tokens_match_exactly() {
        let token = AdminToken::new("s3cret-token".into()).unwrap();
        assert!(token.matches("s3cret-token"));
        assert!(!token.matches("s3cret-tokem"));
        assert!(!token.matches("s3cret-token-and-more"));
        assert!(!token.matches("s3cret"));
        assert!(!token.matches(""));
        assert!(AdminToken::new(String::new()).is_none());
        assert_eq!(format!("{token:?}"), "AdminToken(***)");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let error = config(&[("DATABASE_POOL_SIZE", "lots")]).unwrap_err();
        assert!(
            error.to_string().starts_with("DATABASE_POOL_SIZE:"),
            "{error}"
        );
        assert!(config(&[("DATABASE_POOL_SIZE", "0")]).is_err());
        assert!(config(&[("DATABASE_URL", "mysql://x")]).is_err());
    }
}
