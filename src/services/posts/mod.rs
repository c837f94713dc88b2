//! Posts: one file a job.

mod authors;
mod bulk;
mod create;
mod list;
mod read;
mod related;
pub mod rules;
mod tags;
mod trash;
mod update;

pub use bulk::{BulkAction, BulkOutcome, bulk};
pub use create::{NewPost, create};
pub use list::{ListPosts, PlannedPage, PostFilter, load_page, tag_walk};
pub use read::{GetPost, moved_post};
pub use related::RelatedPosts;
pub use tags::{add_tags, remove_tag};
pub use trash::{delete_permanently, restore, trash};
pub use update::{ExpectedVersion, PostUpdate, update};

use crate::db::DbConn;
use crate::db::posts::{self as statements, PostKey};
use crate::models::PostWithTags;
use crate::services::{OrNotFound, ServiceResult};

/// The post as it is now, with its author and tags, after a change.
fn reread(conn: &mut DbConn, id: i64) -> ServiceResult<PostWithTags> {
    statements::with_tags(conn, &PostKey::Id(id)).or_not_found("post")
}
