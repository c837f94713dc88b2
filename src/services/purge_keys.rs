//! Surrogate keys: the names of what a public answer shows, by which a CDN
//! purges every answer that showed it (`post-{id}`, `tag-{id}`,
//! `author-{id}`, and `posts`, `tags`, `authors`, `feeds` for lists).

use std::collections::HashSet;

use crate::models::PostWithTags;

/// Every post list, whatever it is filtered by: a new post may join any.
pub const POSTS: &str = "posts";
/// Every tag list.
pub const TAGS: &str = "tags";
/// Every author list.
pub const AUTHORS: &str = "authors";
/// Every feed.
pub const FEEDS: &str = "feeds";

pub fn post(id: i64) -> String {
    format!("post-{id}")
}

pub fn tag(id: i64) -> String {
    format!("tag-{id}")
}

pub fn author(id: i64) -> String {
    format!("author-{id}")
}

/// The keys of one answer, each once, in the order first named.
#[derive(Debug, Default, Clone)]
pub struct PurgeKeys {
    keys: Vec<String>,
    named: HashSet<String>,
}

impl PurgeKeys {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, key: impl Into<String>) -> &mut Self {
        let key = key.into();
        if self.named.insert(key.clone()) {
            self.keys.push(key);
        }
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
        for each in shown {
            self.post(each);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Space-separated, as the `Surrogate-Key` header has them.
    pub fn header_value(&self) -> String {
        self.keys.join(" ")
    }

    pub fn into_vec(self) -> Vec<String> {
        self.keys
    }
}
