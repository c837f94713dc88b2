//! Surrogate keys: the names of what a public answer shows, by which a CDN
//! purges every answer that showed it (`post-{id}`, `tag-{id}`,
//! `author-{id}`, and `posts`, `tags`, `authors`, `feeds` for lists).

use std::collections::HashSet;
use std::fmt;

use crate::models::PostWithTags;

/// One key. Kept as numbers until written, so that naming the keys of a
/// page costs no allocation per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PurgeKey {
    Post(i64),
    Tag(i64),
    Author(i64),
    /// Every answer of a kind: `posts`, `tags`, `authors`, `feeds`.
    Every(&'static str),
}

impl fmt::Display for PurgeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PurgeKey::Post(id) => write!(f, "post-{id}"),
            PurgeKey::Tag(id) => write!(f, "tag-{id}"),
            PurgeKey::Author(id) => write!(f, "author-{id}"),
            PurgeKey::Every(kind) => f.write_str(kind),
        }
    }
}

/// Every post list, whatever it is filtered by: a new post may join any.
pub const POSTS: PurgeKey = PurgeKey::Every("posts");
/// Every tag list.
pub const TAGS: PurgeKey = PurgeKey::Every("tags");
/// Every author list.
pub const AUTHORS: PurgeKey = PurgeKey::Every("authors");
/// Every feed.
pub const FEEDS: PurgeKey = PurgeKey::Every("feeds");

pub fn post(id: i64) -> PurgeKey {
    PurgeKey::Post(id)
}

pub fn tag(id: i64) -> PurgeKey {
    PurgeKey::Tag(id)
}

pub fn author(id: i64) -> PurgeKey {
    PurgeKey::Author(id)
}

/// The keys of one answer, in the order first named; each is written once.
#[derive(Debug, Default, Clone)]
pub struct PurgeKeys {
    keys: Vec<PurgeKey>,
}

impl PurgeKeys {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, key: PurgeKey) -> &mut Self {
        self.keys.push(key);
        self
    }

    /// A post as the public sees it: the post, its public tags and its
    /// author, each of whose changes shows in it.
    pub fn post(&mut self, shown: &PostWithTags) -> &mut Self {
        self.add(post(shown.post.id));
        for shown_tag in &shown.tags {
            if shown_tag.visibility().is_seen(false) {
                self.add(tag(shown_tag.id));
            }
        }
        self.add(author(shown.author.id))
    }

    pub fn posts<'a>(&mut self, shown: impl IntoIterator<Item = &'a PostWithTags>) -> &mut Self {
        let shown = shown.into_iter();
        // A post, its author and a few tags: grown once for a page.
        self.keys.reserve(shown.size_hint().0 * 8);
        for each in shown {
            self.post(each);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Each key once, in the order first named.
    pub fn distinct(&self) -> Vec<PurgeKey> {
        let mut seen = HashSet::with_capacity(self.keys.len());
        self.keys
            .iter()
            .copied()
            .filter(|key| seen.insert(*key))
            .collect()
    }

    /// Space-separated, as the `Surrogate-Key` header has them.
    pub fn header_value(&self) -> String {
        let names: Vec<String> = self.distinct().iter().map(PurgeKey::to_string).collect();
        names.join(" ")
    }
}
