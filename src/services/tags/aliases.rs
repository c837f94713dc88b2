//! A tag's aliases: other names that get-or-create resolves to it.

use crate::db::{DbConn, aliases, tag_counts, tags};
use crate::domain::audience::Identity;
use crate::domain::tag_name::TagName;
use crate::domain::time::now;
use crate::models::TagWithCounts;
use crate::services::posts::rules;
use crate::services::races::until_won;
use crate::services::{OrNotFound, ServiceError, ServiceResult};

/// Gives the tag another name. A name that is already a tag's name or an
/// alias (this tag's too) is a conflict naming that tag, also when a
/// concurrent request took it after this one looked: the change then runs
/// again, and finds it. Answers the tag with its aliases.
pub fn add(
    conn: &mut DbConn,
    slug: &str,
    name: &TagName,
    actor: &Identity,
) -> ServiceResult<TagWithCounts> {
    rules::may_manage_tags(actor)?;
    let now = now();
    until_won("adding an alias", |_| {
        let added = conn.transaction(|conn| {
            let tag = tags::lock_by_slug(conn, slug).or_not_found("tag")?;
            if let Some(owner) = tags::owner_of_key(conn, name.key())? {
                return Err(ServiceError::TagNameTaken { slug: owner.slug });
            }
            aliases::insert(conn, tag.id, name.display(), name.key(), now)?;
            Ok(())
        });
        match added {
            Err(error) if error.lost_a_tag_key_race() => Ok(None),
            outcome => outcome.map(Some),
        }
    })?;
    tag_counts::of_slug(conn, slug, now).or_not_found("tag")
}

/// Takes an alias from the tag; `alias` is matched as a name is
/// (normalised, whatever the case). An alias the tag does not have is 404.
pub fn remove(conn: &mut DbConn, slug: &str, alias: &str, actor: &Identity) -> ServiceResult<()> {
    rules::may_manage_tags(actor)?;
    let key = TagName::parse(alias).map_err(|_| ServiceError::NotFound("alias"))?;
    conn.transaction(|conn| {
        let tag = tags::lock_by_slug(conn, slug).or_not_found("tag")?;
        match aliases::delete(conn, tag.id, key.key())? {
            0 => Err(ServiceError::NotFound("alias")),
            _ => Ok(()),
        }
    })
}
