//! What a delivery says: the event, and the post or tag as the public sees
//! it when it is sent first (or its id and slug when the public cannot see
//! it any more), with the surrogate keys to purge. Written once, at the
//! first attempt, and sent the same at every retry.

use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::db::posts::{self, PostKey};
use crate::db::visibility::is_visible;
use crate::db::{DbConn, DbError, tag_counts};
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
        (false, _) => tag_counts::of_slug(conn, &delivery.subject_slug, now)?
            .filter(|tag| tag.tag.id == delivery.subject_id && tag.tag.visibility().is_seen(false))
            .map(|tag| json!(views::Tag::new(tag, false))),
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
