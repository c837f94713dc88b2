//! Callers already authenticated, remembered by their token's digest while
//! the committed `people_changes` are what they were when each was looked
//! up: deleting a credential or changing or deleting a user adds to them
//! (by trigger, on any instance), so a revoked token is looked up afresh,
//! and refused, on the very next request.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::domain::audience::{Identity, TokenDigest};

/// Callers remembered at most; past it, remembering starts again.
const MAX_REMEMBERED_CALLERS: usize = 100_000;

/// How often a key's `last_used_at` is written: at most once this often.
pub const KEY_USE_RESOLUTION: Duration = Duration::from_secs(60);

#[derive(Default)]
pub(super) struct RememberedCallers {
    callers: Mutex<Callers>,
    /// When each key's use was last written.
    key_uses: Mutex<HashMap<i64, Instant>>,
}

#[derive(Default)]
struct Callers {
    people_changes: Option<i64>,
    by_digest: HashMap<TokenDigest, Caller>,
}

#[derive(Clone, Copy)]
struct Caller {
    identity: Identity,
    /// A session's end; keys do not expire.
    expires_at: Option<NaiveDateTime>,
}

impl RememberedCallers {
    fn callers(&self) -> MutexGuard<'_, Callers> {
        self.callers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The caller with this token, if looked up when the committed
    /// `people_changes` were `people_changes`, and not expired at `now`.
    pub fn recall(
        &self,
        people_changes: i64,
        digest: &TokenDigest,
        now: NaiveDateTime,
    ) -> Option<Identity> {
        let callers = self.callers();
        if callers.people_changes != Some(people_changes) {
            return None;
        }
        let caller = callers.by_digest.get(digest)?;
        match caller.expires_at {
            Some(expires) if expires <= now => None,
            _ => Some(caller.identity),
        }
    }

    /// Remembers a caller looked up after `people_changes` were read.
    pub fn remember(
        &self,
        people_changes: i64,
        digest: TokenDigest,
        identity: Identity,
        expires_at: Option<NaiveDateTime>,
    ) {
        let mut callers = self.callers();
        match callers.people_changes {
            Some(remembered) if remembered == people_changes => {}
            // A lookup of an older moment than those remembered.
            Some(remembered) if remembered > people_changes => return,
            _ => {
                callers.people_changes = Some(people_changes);
                callers.by_digest.clear();
            }
        }
        if callers.by_digest.len() >= MAX_REMEMBERED_CALLERS {
            callers.by_digest.clear();
        }
        let caller = Caller {
            identity,
            expires_at,
        };
        callers.by_digest.insert(digest, caller);
    }

    /// Whether the use of key `id` at `now` should be written: the first
    /// use, or the first for [`KEY_USE_RESOLUTION`].
    pub fn key_use_to_write(&self, id: i64, now: Instant) -> bool {
        let mut uses = self.key_uses.lock().unwrap_or_else(PoisonError::into_inner);
        match uses.get(&id) {
            Some(written) if now.duration_since(*written) < KEY_USE_RESOLUTION => false,
            _ => {
                if uses.len() >= MAX_REMEMBERED_CALLERS {
                    uses.clear();
                }
                uses.insert(id, now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audience::Credential;
    use crate::domain::people::Role;

    fn someone() -> Identity {
        Identity {
            user_id: 3,
            role: Role::Author,
            credential: Credential::Key(9),
        }
    }

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(secs, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn a_caller_is_recalled_only_while_nothing_about_people_changed() {
        let callers = RememberedCallers::default();
        callers.remember(4, [1; 32], someone(), None);
        assert_eq!(callers.recall(4, &[1; 32], at(0)), Some(someone()));
        assert_eq!(callers.recall(4, &[2; 32], at(0)), None);
        assert_eq!(callers.recall(5, &[1; 32], at(0)), None);
        // An older lookup does not displace newer ones.
        callers.remember(5, [1; 32], someone(), None);
        callers.remember(4, [2; 32], someone(), None);
        assert_eq!(callers.recall(5, &[2; 32], at(0)), None);
    }

    #[test]
    fn an_expired_session_is_not_recalled() {
        let callers = RememberedCallers::default();
        callers.remember(1, [1; 32], someone(), Some(at(100)));
        assert!(callers.recall(1, &[1; 32], at(99)).is_some());
        assert!(callers.recall(1, &[1; 32], at(100)).is_none());
    }

    #[test]
    fn a_key_use_is_written_once_a_minute() {
        let callers = RememberedCallers::default();
        let start = Instant::now();
        assert!(callers.key_use_to_write(9, start));
        assert!(!callers.key_use_to_write(9, start + Duration::from_secs(59)));
        assert!(callers.key_use_to_write(9, start + Duration::from_secs(61)));
        assert!(callers.key_use_to_write(10, start));
    }
}
