//! Tags: reads from the counts in memory, and tag administration.

mod admin;
mod read;

pub use admin::{NewTag, TagUpdate, create, delete, merge, update};
pub use read::{GetTag, ListTags, TagPage};
