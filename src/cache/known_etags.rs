//! The ETag each public answer had, by request target, at one moment of the
//! committed changes. An answer is made of what those changes prove (and of
//! the time, until the next scheduled post comes due), so while a request
//! reads the same changes before that moment, the answer it would be sent
//! has the same ETag: a client revalidating it can be told `304` after the
//! shared check, without reading or fingerprinting anything again.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::remembered::Remembered;
use crate::db::change_counters::CommittedChanges;

/// Roughly how much memory the known ETags may take; past it they are
/// forgotten and knowing starts again.
const MAX_KNOWN_ETAG_BYTES: usize = 4 << 20;

/// What a request target was answered with.
#[derive(Debug, PartialEq, Eq)]
pub struct KnownEtag {
    pub etag: String,
    /// When a scheduled post comes due that could change the answer.
    pub until: Option<NaiveDateTime>,
}

/// The ETags of public answers, of the latest committed changes read.
pub(super) struct KnownEtags(Remembered<Box<str>, KnownEtag>);

impl Default for KnownEtags {
    fn default() -> Self {
        KnownEtags(Remembered::new(MAX_KNOWN_ETAG_BYTES))
    }
}

impl KnownEtags {
    /// The ETag `target` was answered with by a request that read
    /// `changes`, if still the one it would be answered with at `now`.
    pub fn recall(
        &self,
        changes: CommittedChanges,
        target: &str,
        now: NaiveDateTime,
    ) -> Option<Arc<KnownEtag>> {
        let known = self.0.recall(changes, target)?;
        match known.until {
            Some(due) if now >= due => None,
            _ => Some(known),
        }
    }

    /// Remembers the ETag of an answer made of `changes` or later ones.
    pub fn remember(&self, changes: CommittedChanges, target: &str, known: KnownEtag) {
        // The target, the tag, the map's entry and the allocations' heads.
        let bytes = target.len() + known.etag.len() + 128;
        self.0
            .remember(changes, target.into(), Arc::new(known), bytes);
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::*;

    fn noon() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn changes(count_changes: i64, people_changes: i64) -> CommittedChanges {
        CommittedChanges {
            count_changes,
            post_edits: 0,
            people_changes,
        }
    }

    fn known(etag: &str, until: Option<NaiveDateTime>) -> KnownEtag {
        KnownEtag {
            etag: etag.to_owned(),
            until,
        }
    }

    #[test]
    fn an_etag_is_known_only_at_the_changes_it_was_read_at() {
        let etags = KnownEtags::default();
        etags.remember(changes(1, 1), "/api/v1/tags", known("\"a\"", None));
        let recalled = etags.recall(changes(1, 1), "/api/v1/tags", noon());
        assert_eq!(recalled.as_deref(), Some(&known("\"a\"", None)));
        assert_eq!(etags.recall(changes(1, 1), "/api/v1/posts", noon()), None);
        // Any committed change, people's too, may have changed the answer.
        assert_eq!(etags.recall(changes(2, 1), "/api/v1/tags", noon()), None);
        assert_eq!(etags.recall(changes(1, 2), "/api/v1/tags", noon()), None);
    }

    #[test]
    fn an_etag_is_forgotten_when_a_scheduled_post_comes_due() {
        let etags = KnownEtags::default();
        let due = noon() + Duration::seconds(5);
        etags.remember(changes(1, 0), "/api/v1/posts", known("\"a\"", Some(due)));
        let before = due - Duration::milliseconds(1);
        assert!(
            etags
                .recall(changes(1, 0), "/api/v1/posts", before)
                .is_some()
        );
        assert_eq!(etags.recall(changes(1, 0), "/api/v1/posts", due), None);
    }

    #[test]
    fn an_answer_of_older_changes_does_not_replace_newer_ones() {
        let etags = KnownEtags::default();
        etags.remember(changes(2, 0), "/api/v1/posts", known("\"new\"", None));
        etags.remember(changes(1, 0), "/api/v1/posts", known("\"old\"", None));
        let recalled = etags.recall(changes(2, 0), "/api/v1/posts", noon());
        assert_eq!(recalled.as_deref(), Some(&known("\"new\"", None)));
    }
}
