//! What a webhook is sent and when: the events, the subscription's parts
//! as parsed at the edge, and the retry schedule.

use chrono::Duration;

use super::limits::{WEBHOOK_SECRET_MAX_CHARS, WEBHOOK_SECRET_MIN_CHARS, WEBHOOK_URL_MAX_CHARS};
use super::tag_fields::absolute_http_url;
use super::text::has_nul;

/// What a webhook can be told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A post became visible: published now, or a scheduled post came due.
    PostPublished,
    /// A visible post stopped being visible (back to a draft, or dated later).
    PostUnpublished,
    /// A visible post changed and stays visible.
    PostUpdated,
    /// A visible post was trashed or deleted.
    PostDeleted,
    TagCreated,
    TagUpdated,
    TagDeleted,
    TagMerged,
}

impl Event {
    pub const ALL: [Event; 8] = [
        Event::PostPublished,
        Event::PostUnpublished,
        Event::PostUpdated,
        Event::PostDeleted,
        Event::TagCreated,
        Event::TagUpdated,
        Event::TagDeleted,
        Event::TagMerged,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Event::PostPublished => "post.published",
            Event::PostUnpublished => "post.unpublished",
            Event::PostUpdated => "post.updated",
            Event::PostDeleted => "post.deleted",
            Event::TagCreated => "tag.created",
            Event::TagUpdated => "tag.updated",
            Event::TagDeleted => "tag.deleted",
            Event::TagMerged => "tag.merged",
        }
    }

    pub fn parse(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|event| event.name() == name)
    }
}

/// The name that subscribes to every event.
pub const EVERY_EVENT: &str = "*";

/// The events a webhook is sent, as given (each once, in order) and as
/// stored for matching: `*` alone when it is among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub names: Vec<String>,
}

impl Subscription {
    pub fn parse(given: &[String]) -> Result<Subscription, String> {
        if given.is_empty() {
            return Err("must name at least one event".into());
        }
        let mut names: Vec<String> = Vec::new();
        for name in given {
            if name != EVERY_EVENT && Event::parse(name).is_none() {
                let known: Vec<&str> = Event::ALL.iter().map(|event| event.name()).collect();
                return Err(format!(
                    "`{name}` is no event; events are {} or `*`",
                    known.join(", ")
                ));
            }
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        Ok(Subscription { names })
    }

    /// What deliveries are matched by: `*` covers the rest.
    pub fn topics(&self) -> Vec<&str> {
        match self.names.iter().any(|name| name == EVERY_EVENT) {
            true => vec![EVERY_EVENT],
            false => self.names.iter().map(String::as_str).collect(),
        }
    }
}

/// Where deliveries are sent: an absolute http(s) URL.
pub fn webhook_url(raw: &str) -> Result<String, String> {
    absolute_http_url(raw, WEBHOOK_URL_MAX_CHARS)
}

/// A secret the caller chose: long enough to resist guessing, printable.
pub fn webhook_secret(raw: &str) -> Result<String, String> {
    let chars = raw.chars().count();
    if !(WEBHOOK_SECRET_MIN_CHARS..=WEBHOOK_SECRET_MAX_CHARS).contains(&chars) {
        return Err(format!(
            "must be {WEBHOOK_SECRET_MIN_CHARS} to {WEBHOOK_SECRET_MAX_CHARS} characters"
        ));
    }
    if has_nul(raw) || raw.chars().any(char::is_control) {
        return Err("must not hold control characters".into());
    }
    Ok(raw.to_owned())
}

/// How long after a failed attempt the next one is made: after the last of
/// these, a delivery has failed.
pub fn retry_delays() -> [Duration; 6] {
    [
        Duration::seconds(10),
        Duration::minutes(1),
        Duration::minutes(5),
        Duration::minutes(30),
        Duration::hours(2),
        Duration::hours(6),
    ]
}

/// The wait before the next attempt after `attempts` have failed, or
/// `None` when that was the last.
pub fn next_retry(attempts: u32) -> Option<Duration> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    retry_delays().get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_parses_back_from_its_name() {
        for event in Event::ALL {
            assert_eq!(Event::parse(event.name()), Some(event));
        }
        assert_eq!(Event::parse("post.created"), None);
    }

    #[test]
    fn a_subscription_keeps_names_once_and_matches_every_event_by_star() {
        let given = |names: &[&str]| {
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>()
        };
        let parsed = Subscription::parse(&given(&["post.updated", "*", "post.updated"])).unwrap();
        assert_eq!(parsed.names, ["post.updated", "*"]);
        assert_eq!(parsed.topics(), ["*"]);
        let parsed = Subscription::parse(&given(&["tag.merged", "post.deleted"])).unwrap();
        assert_eq!(parsed.topics(), ["tag.merged", "post.deleted"]);
        assert!(Subscription::parse(&[]).is_err());
        assert!(Subscription::parse(&given(&["post.created"])).is_err());
    }

    #[test]
    fn retries_grow_then_stop() {
        assert_eq!(next_retry(0), None);
        assert_eq!(next_retry(1), Some(Duration::seconds(10)));
        assert_eq!(next_retry(2), Some(Duration::minutes(1)));
        assert_eq!(next_retry(6), Some(Duration::hours(6)));
        assert_eq!(next_retry(7), None);
    }

    #[test]
    fn secrets_are_long_and_printable() {
        assert!(webhook_secret("short").is_err());
        assert!(webhook_secret("a-long-enough-secret").is_ok());
        assert!(webhook_secret("a-long-enough\nsecret").is_err());
    }
}
