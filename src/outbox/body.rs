//! What a delivery says: the event, and the post or tag as the public sees
//! it when it is sent first (or its id and slug when the public cannot see
//! it any more), with the surrogate keys to purge. Written once, at the
//! first attempt, and sent the same at every retry.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::db::posts::{self, PostKey};
use crate::db::visibility::is_visible;
use crate::db::{DbConn, DbError, tag_counts, tags};
use crate::domain::webhooks::Event;
use crate::http::views;
use crate::models::DeliveryRow;

/// The JSON body of the delivery.
pub fn render(
    conn: &mut DbConn,
    delivery: &DeliveryRow,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    let gone = matches!(
        Event::parse(&delivery.event),
        Some(Event::PostUnpublished | Event::PostDeleted | Event::TagDeleted)
    );
    let seen = match (gone, delivery.subject.as_str()) {
        (true, _) => None,
        (false, "post") => posts::with_tags(conn, &PostKey::Id(delivery.subject_id))?
            .filter(|post| is_visible(&post.post, now))
            .map(|post| json!(views::Post::new(post, false))),
        (false, _) => public_tag(conn, delivery.subject_id, now)?,
    };
    let data =
        seen.unwrap_or_else(|| json!({"id": delivery.subject_id, "slug": delivery.subject_slug}));
    let purge_keys: Vec<&str> = delivery.purge_keys.split_whitespace().collect();
    let body: Value = json!({
        "id": delivery.delivery_id,
        "event": delivery.event,
        "occurred_at": views::Time(delivery.occurred_at),
        "data": data,
        "purge_keys": purge_keys,
    });
    Ok(body.to_string())
}

/// The tag as the public sees it, by id (its slug may have changed since
/// the event), if the public sees it.
fn public_tag(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<Option<Value>, DbError> {
    let Some(tag) = tags::by_ids(conn, &[id])?.pop() else {
        return Ok(None);
    };
    if !tag.visibility().is_seen(false) {
        return Ok(None);
    }
    let counted = tag_counts::of_slug(conn, &tag.slug, now)?;
    Ok(counted.map(|tag| json!(views::Tag::new(tag, false))))
}
