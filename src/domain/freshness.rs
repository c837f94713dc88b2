//! How long the public's answers may be kept by browsers and shared caches
//! (CDNs), and the rule that none is kept past the moment a scheduled post
//! comes due and could change it.

use chrono::NaiveDateTime;

/// `CACHE_MAX_AGE_SECS`, `CACHE_SHARED_MAX_AGE_SECS`, `CACHE_STALE_SECS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// How long a browser may keep an answer (`max-age`).
    pub max_age: u32,
    /// How long a shared cache may keep it (`s-maxage`).
    pub shared_max_age: u32,
    /// How long past that a cache may still serve it while it revalidates
    /// (`stale-while-revalidate`).
    pub stale: u32,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            max_age: 0,
            shared_max_age: 60,
            stale: 30,
        }
    }
}

/// The most any lifetime may be set to: a year, as RFC 9111 advises.
pub const MAX_LIFETIME_SECS: u32 = 365 * 24 * 3600;

impl Lifetimes {
    /// The `Cache-Control` of an anonymous answer given at `now` that a
    /// scheduled post may change at `next_change`. Every lifetime ends by
    /// then, serving stale included: the cut is rounded down, so a cache
    /// never holds the answer past that moment.
    pub fn public_cache_control(
        &self,
        now: NaiveDateTime,
        next_change: Option<NaiveDateTime>,
    ) -> String {
        let until_change = next_change.map_or(u64::MAX, |at| {
            u64::try_from((at - now).num_seconds()).unwrap_or(0)
        });
        let cut = |secs: u32| u32::try_from(u64::from(secs).min(until_change)).unwrap_or(secs);
        let max_age = cut(self.max_age);
        let shared_max_age = cut(self.shared_max_age);
        // Serving stale follows either lifetime, a browser's as a CDN's.
        let longest = max_age.max(shared_max_age);
        let stale = cut(longest.saturating_add(self.stale)) - longest;
        format!(
            "public, max-age={max_age}, s-maxage={shared_max_age}, stale-while-revalidate={stale}"
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use proptest::prelude::*;

    use super::*;
    use crate::domain::time::test_noon as noon;

    #[test]
    fn with_nothing_scheduled_the_lifetimes_are_as_set() {
        assert_eq!(
            Lifetimes::default().public_cache_control(noon(), None),
            "public, max-age=0, s-maxage=60, stale-while-revalidate=30"
        );
    }

    #[test]
    fn a_post_coming_due_cuts_what_would_outlive_it() {
        let lifetimes = Lifetimes {
            max_age: 20,
            shared_max_age: 60,
            stale: 30,
        };
        let at = |secs: i64| Some(noon() + Duration::milliseconds(secs));
        let header = |due| lifetimes.public_cache_control(noon(), due);
        assert_eq!(
            header(at(75_000)),
            "public, max-age=20, s-maxage=60, stale-while-revalidate=15"
        );
        let browsers_longer = Lifetimes {
            max_age: 120,
            ..lifetimes
        };
        assert_eq!(
            browsers_longer.public_cache_control(noon(), at(100_000)),
            "public, max-age=100, s-maxage=60, stale-while-revalidate=0"
        );
        assert_eq!(
            header(at(10_500)),
            "public, max-age=10, s-maxage=10, stale-while-revalidate=0"
        );
        assert_eq!(
            header(at(999)),
            "public, max-age=0, s-maxage=0, stale-while-revalidate=0"
        );
        // Due already (a request racing the moment): kept by nobody.
        assert_eq!(
            header(at(-5_000)),
            "public, max-age=0, s-maxage=0, stale-while-revalidate=0"
        );
    }

    proptest! {
        #[test]
        fn nothing_is_kept_past_the_next_change(
            max_age in 0u32..1_000,
            shared_max_age in 0u32..1_000,
            stale in 0u32..1_000,
            due_in_ms in -10_000i64..3_000_000,
        ) {
            let lifetimes = Lifetimes { max_age, shared_max_age, stale };
            let due = noon() + Duration::milliseconds(due_in_ms);
            let header = lifetimes.public_cache_control(noon(), Some(due));
            let number = |name: &str| -> i64 {
                let start = header.find(&format!("{name}=")).unwrap() + name.len() + 1;
                header[start..].split(',').next().unwrap().parse().unwrap()
            };
            let until_due = due_in_ms.max(0) / 1000;
            prop_assert!(number("max-age") <= until_due);
            prop_assert!(number("s-maxage") + number("stale-while-revalidate") <= until_due);
            prop_assert!(number("max-age") + number("stale-while-revalidate") <= until_due);
            prop_assert!(number("max-age") <= i64::from(max_age));
            prop_assert!(number("s-maxage") <= i64::from(shared_max_age));
            prop_assert!(number("stale-while-revalidate") <= i64::from(stale));
            let longest = i64::from(shared_max_age.max(max_age));
            if until_due >= longest + i64::from(stale) {
                prop_assert_eq!(number("s-maxage"), i64::from(shared_max_age));
                prop_assert_eq!(number("stale-while-revalidate"), i64::from(stale));
            }
        }
    }
}
