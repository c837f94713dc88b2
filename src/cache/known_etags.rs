//! The ETag each public answer had, by request target, at one moment of the
//! committed changes. An answer is made of what those changes prove (and of
//! the time, until the next scheduled post comes due), so while a request
//! reads the same changes before that moment, the answer it would be sent
//! has the same ETag: a client revalidating it can be told `304` after the
//! shared check, without reading or fingerprinting anything again.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::remembered::Remembered;
use super::split_counter::SplitCounter;
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

/// The ETags of public answers, of the latest committed changes read, and
/// how revalidations were answered: `known` (304 from the ETag last sent)
/// or `route`.
pub struct KnownEtags {
    etags: Remembered<Box<str>, KnownEtag>,
    pub(super) revalidations: SplitCounter,
}

impl Default for KnownEtags {
    fn default() -> Self {
        KnownEtags {
            etags: Remembered::new(MAX_KNOWN_ETAG_BYTES),
            revalidations: SplitCounter::new(
                "blog_revalidations_total",
                "The public's revalidations (If-None-Match), by how they were answered: `known` \
                 (304 from the ETag last sent) or `route` (by the route).",
                "answered",
                ["known", "route"],
            ),
        }
    }
}

impl KnownEtags {
    /// The ETag `target` was answered with by a request that read
    /// `changes`, if it is still the one it would be answered with at `now`
    /// and the client holds it (`held`): then it may be told `304`.
    ///
    /// Only what content is made of counts: a credential ended leaves every
    /// public answer as it was.
    pub fn held(
        &self,
        changes: CommittedChanges,
        target: &str,
        now: NaiveDateTime,
        held: impl FnOnce(&str) -> bool,
    ) -> Option<Arc<KnownEtag>> {
        let known = self
            .etags
            .recall(changes.of_content(), target)
            .filter(|known| known.until.is_none_or(|due| now < due))
            .filter(|known| held(&known.etag));
        match known {
            Some(_) => self.revalidations.first.inc(),
            None => self.revalidations.second.inc(),
        }
        known
    }

    /// Remembers the ETag of an answer made of `changes` or later ones.
    pub fn remember(&self, changes: CommittedChanges, target: &str, known: KnownEtag) {
        // The target, the tag, the map's entry and the allocations' heads.
        let bytes = target.len() + known.etag.len() + 128;
        let (target, known) = (target.into(), Arc::new(known));
        self.etags
            .remember(changes.of_content(), target, known, bytes);
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::domain::time::test_noon as noon;

    fn changes(count_changes: i64, post_edits: i64, people_changes: i64) -> CommittedChanges {
        CommittedChanges {
            count_changes,
            post_edits,
            people_changes,
        }
    }

    fn known(etag: &str, until: Option<NaiveDateTime>) -> KnownEtag {
        KnownEtag {
            etag: etag.to_owned(),
            until,
        }
    }

    fn any(_: &str) -> bool {
        true
    }

    #[test]
    fn an_etag_is_known_only_at_the_content_changes_it_was_read_at() {
        let etags = KnownEtags::default();
        etags.remember(changes(1, 1, 1), "/api/v1/tags", known("\"a\"", None));
        let recalled = etags.held(changes(1, 1, 1), "/api/v1/tags", noon(), any);
        assert_eq!(recalled.as_deref(), Some(&known("\"a\"", None)));
        assert_eq!(
            etags.held(changes(1, 1, 1), "/api/v1/posts", noon(), any),
            None
        );
        assert_eq!(
            etags.held(changes(2, 1, 1), "/api/v1/tags", noon(), any),
            None
        );
        assert_eq!(
            etags.held(changes(1, 2, 1), "/api/v1/tags", noon(), any),
            None
        );
        // A session begun or ended changes no public answer.
        let signed_in = etags.held(changes(1, 1, 7), "/api/v1/tags", noon(), any);
        assert_eq!(signed_in.as_deref(), Some(&known("\"a\"", None)));
    }

    #[test]
    fn an_etag_the_client_does_not_hold_is_no_answer() {
        let etags = KnownEtags::default();
        etags.remember(changes(1, 0, 0), "/api/v1/tags", known("\"a\"", None));
        let other = etags.held(changes(1, 0, 0), "/api/v1/tags", noon(), |held| {
            held == "\"b\""
        });
        assert_eq!(other, None);
        assert_eq!(etags.revalidations.first.get(), 0);
        assert_eq!(etags.revalidations.second.get(), 1);
    }

    #[test]
    fn an_etag_is_forgotten_when_a_scheduled_post_comes_due() {
        let etags = KnownEtags::default();
        let due = noon() + Duration::seconds(5);
        etags.remember(changes(1, 0, 0), "/api/v1/posts", known("\"a\"", Some(due)));
        let before = due - Duration::milliseconds(1);
        assert!(
            etags
                .held(changes(1, 0, 0), "/api/v1/posts", before, any)
                .is_some()
        );
        assert_eq!(
            etags.held(changes(1, 0, 0), "/api/v1/posts", due, any),
            None
        );
        assert_eq!(etags.revalidations.first.get(), 1);
        assert_eq!(etags.revalidations.second.get(), 1);
    }

    #[test]
    fn an_answer_of_older_changes_does_not_replace_newer_ones() {
        let etags = KnownEtags::default();
        etags.remember(changes(2, 0, 0), "/api/v1/posts", known("\"new\"", None));
        etags.remember(changes(1, 0, 0), "/api/v1/posts", known("\"old\"", None));
        let recalled = etags.held(changes(2, 0, 0), "/api/v1/posts", noon(), any);
        assert_eq!(recalled.as_deref(), Some(&known("\"new\"", None)));
    }
}
