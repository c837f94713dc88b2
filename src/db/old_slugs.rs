//! The slugs tags and posts had before, kept so that old links still lead
//! somewhere. Triggers write them as slugs change (migration `old_slugs`);
//! a merge hands the source's to the target.

use diesel::prelude::*;

use super::conn::DbConn;
use crate::domain::tag_name::TagVisibility;
use crate::models::TagRow;
use crate::on_backend;
use crate::schema::{post_old_slugs, tag_old_slugs, tags};

/// The tag that last had this slug, as it is now, and whether the slug was
/// an internal tag's.
pub fn tag_of(conn: &mut DbConn, old_slug: &str) -> QueryResult<Option<(TagRow, bool)>> {
    on_backend!(conn, c => tag_old_slugs::table
        .inner_join(tags::table)
        .filter(tag_old_slugs::slug.eq(old_slug))
        .select((TagRow::as_select(), tag_old_slugs::internal))
        .first(c)
        .optional())
}

/// The id of the post that last had this slug.
pub fn post_of(conn: &mut DbConn, old_slug: &str) -> QueryResult<Option<i64>> {
    on_backend!(conn, c => post_old_slugs::table
        .find(old_slug)
        .select(post_old_slugs::post_id)
        .first(c)
        .optional())
}

/// A merge: the source's slug, and every slug it had, lead to the target
/// from now on. Call it before the source is deleted, which would take its
/// old slugs with it.
pub fn hand_over_tag(conn: &mut DbConn, source: &TagRow, target_id: i64) -> QueryResult<()> {
    on_backend!(conn, c => {
        diesel::update(tag_old_slugs::table.filter(tag_old_slugs::tag_id.eq(source.id)))
            .set(tag_old_slugs::tag_id.eq(target_id))
            .execute(c)?;
        let internal = source.visibility() == TagVisibility::Internal;
        diesel::insert_into(tag_old_slugs::table)
            .values((
                tag_old_slugs::slug.eq(&source.slug),
                tag_old_slugs::tag_id.eq(target_id),
                tag_old_slugs::internal.eq(internal),
            ))
            .on_conflict(tag_old_slugs::slug)
            .do_update()
            .set((tag_old_slugs::tag_id.eq(target_id), tag_old_slugs::internal.eq(internal)))
            .execute(c)?;
        Ok(())
    })
}
