//! Answers remembered for later requests that read the same committed
//! changes: pages of posts, single posts, and (`known_etags.rs`) the ETags
//! of public answers.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::NaiveDateTime;

use crate::db::change_counters::CommittedChanges;
use crate::db::post_lists::MatchingPosts;
use crate::db::posts::PostKey;
use crate::domain::page::{Page, PageRequest};
use crate::models::PostWithTags;

/// Roughly how much memory remembered pages of posts may take; past it they
/// are forgotten and remembering starts again.
const MAX_REMEMBERED_PAGE_BYTES: usize = 32 << 20;

/// The same for single posts.
const MAX_REMEMBERED_POST_BYTES: usize = 64 << 20;

/// A page of posts as memory keeps it: shared, so that an answer from
/// memory (a `304` above all) copies no post.
pub type PostPage = Arc<Page<PostWithTags>>;

/// Which page of which posts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub matching: MatchingPosts,
    pub page: PageRequest,
}

/// A page of posts, and the moment the next scheduled post came due when
/// it was read: from then on it may lack that post.
pub(super) struct DatedPage {
    pub page: PostPage,
    pub until: Option<NaiveDateTime>,
}

/// The answers of one moment of the committed changes.
pub(super) struct RememberedAnswers {
    pub pages: Remembered<PageKey, DatedPage>,
    pub posts: Remembered<PostKey, PostWithTags>,
}

impl Default for RememberedAnswers {
    fn default() -> Self {
        Self {
            pages: Remembered::new(MAX_REMEMBERED_PAGE_BYTES),
            posts: Remembered::new(MAX_REMEMBERED_POST_BYTES),
        }
    }
}

/// Values read by requests that read the same committed changes, for later
/// requests that read them too. Values of older changes are forgotten; a
/// value of changes older than those remembered is not kept.
pub(super) struct Remembered<K, V> {
    max_bytes: usize,
    entries: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    changes: Option<CommittedChanges>,
    values: HashMap<K, Arc<V>>,
    /// Roughly what the values hold.
    bytes: usize,
}

impl<K: Eq + Hash, V> Remembered<K, V> {
    pub(super) fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            entries: Mutex::new(Entries {
                changes: None,
                values: HashMap::new(),
                bytes: 0,
            }),
        }
    }

    fn entries(&self) -> MutexGuard<'_, Entries<K, V>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Shared, so that the caller copies it outside the lock, which other
    /// requests may be waiting for.
    pub fn recall<Q>(&self, changes: CommittedChanges, key: &Q) -> Option<Arc<V>>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let entries = self.entries();
        if entries.changes != Some(changes) {
            return None;
        }
        entries.values.get(key).cloned()
    }

    pub fn remember(&self, changes: CommittedChanges, key: K, value: Arc<V>, bytes: usize) {
        let mut entries = self.entries();
        match entries.changes {
            Some(remembered) if remembered == changes => {}
            Some(remembered) if !changes.newer_than(remembered) => return,
            _ => {
                entries.changes = Some(changes);
                entries.values.clear();
                entries.bytes = 0;
            }
        }
        if entries.bytes + bytes > self.max_bytes {
            entries.values.clear();
            entries.bytes = 0;
        }
        entries.bytes += bytes;
        entries.values.insert(key, value);
    }
}

/// Roughly the memory a post with its author and tags takes.
pub(super) fn post_bytes(item: &PostWithTags) -> usize {
    let post = &item.post;
    512 + item.author.name.len()
        + item.author.slug.len()
        + post.title.len()
        + post.body.len()
        + post.slug.len()
        + post.excerpt.as_ref().map_or(0, String::len)
        + item.tags.len() * 128
}
