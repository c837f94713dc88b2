//! Posts: one file a job.

mod bulk;
mod create;
mod list;
mod read;
pub mod rules;
mod tags;
mod trash;
mod update;

pub use bulk::{BulkAction, BulkOutcome, bulk};
pub use create::{NewPost, create};
pub use list::{ListPosts, PlannedPage, PostFilter, load_page, tag_walk};
pub use read::GetPost;
pub use tags::{add_tags, remove_tag};
pub use trash::{delete_permanently, restore, trash};
pub use update::{ExpectedVersion, PostUpdate, update};
