//! Times as stored: UTC, to the microsecond.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

/// The current time as stored: UTC, to the microsecond (PostgreSQL's
/// precision), so that what is written reads back unchanged on both backends.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Where admin lists put a post never dated: after every date a post may
/// have (the `list_order` migration writes the same moment in SQL).
pub fn never_dated() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|day| day.and_hms_opt(23, 59, 59))
        .expect("a valid moment")
}

/// An RFC 3339 time before [`never_dated`], as stored.
pub fn parse_time(raw: &str) -> Result<NaiveDateTime, &'static str> {
    let time = DateTime::parse_from_rfc3339(raw)
        .map(|time| time.naive_utc().trunc_subsecs(6))
        .map_err(|_| "must be an RFC 3339 time such as 2026-11-20T10:00:00Z")?;
    match time < never_dated() {
        true => Ok(time),
        false => Err("must be before 9999-12-31T23:59:59Z"),
    }
}

/// A fixed moment for tests of rules that depend on the time.
#[cfg(test)]
pub fn test_noon() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 1)
        .and_then(|day| day.and_hms_opt(12, 0, 0))
        .expect("a valid moment")
}
