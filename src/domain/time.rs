//! Times as stored: UTC, to the microsecond.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// The current time as stored: UTC, to the microsecond (PostgreSQL's
/// precision), so that what is written reads back unchanged on both backends.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// An RFC 3339 time, as stored.
pub fn parse_time(raw: &str) -> Result<NaiveDateTime, &'static str> {
    DateTime::parse_from_rfc3339(raw)
        .map(|time| time.naive_utc().trunc_subsecs(6))
        .map_err(|_| "must be an RFC 3339 time such as 2026-11-20T10:00:00Z")
}
