//! Tags: reads from the counts in memory, and tag administration.

mod admin;
pub mod aliases;
mod read;

pub use admin::{NewTag, TagDetails, TagUpdate, create, delete, merge, update};
pub use read::{GetTag, ListTags, TagPage, moved_tag};
