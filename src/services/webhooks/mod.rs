//! Webhooks: administrators tell the blog where to send which events; the
//! writes that cause events record them ([`events`]); the server's sender
//! delivers them.

pub mod events;

use chrono::NaiveDateTime;

use crate::db::posts::{self, PostKey};
use crate::db::visibility::is_visible;
use crate::db::{DbConn, webhooks};
use crate::domain::audience::Identity;
use crate::domain::limits::WEBHOOK_DELIVERIES_SHOWN;
use crate::domain::people::Role;
use crate::domain::time::now;
use crate::domain::webhooks::Subscription;
use crate::models::{DeliveryRow, NewWebhookRow, WebhookRow};
use crate::services::people::secrets::new_token;
use crate::services::{ServiceError, ServiceResult};

pub use events::{Events, PostAfter};

/// Rung after a write on this server, so that the sender sends what it
/// recorded at once rather than at its next look.
#[derive(Debug, Default)]
pub struct Bell(tokio::sync::Notify);

impl Bell {
    pub fn ring(&self) {
        self.0.notify_one();
    }

    /// Until the bell rings (at once if it rang since the last time).
    pub async fn rung(&self) {
        self.0.notified().await;
    }
}

/// Scheduled posts taken at a time when they come due.
const DUE_AT_ONCE: i64 = 50;

/// Records `post.published` for the scheduled posts that have come due by
/// `now`, each once whichever server takes it; how many came due.
pub fn publish_due(conn: &mut DbConn, now: NaiveDateTime) -> ServiceResult<usize> {
    conn.transaction(|conn| {
        let due = webhooks::take_due_publications(conn, now, DUE_AT_ONCE)?;
        let mut events = Events::new();
        for (post, at) in &due {
            let shown = posts::with_tags(conn, &PostKey::Id(*post))?;
            // Unpublished or trashed since withdraws it; this is a guard.
            if let Some(shown) = shown.filter(|shown| is_visible(&shown.post, now)) {
                events.came_due(&shown, *at);
            }
        }
        events.record(conn, now)?;
        Ok(due.len())
    })
}

/// A webhook to create, parsed. No `Debug`: it holds the secret.
#[derive(Clone)]
pub struct NewWebhook {
    pub url: String,
    pub subscription: Subscription,
    /// Generated when not given.
    pub secret: Option<String>,
}

/// A new webhook and its secret, answered this once. No `Debug`.
#[derive(Clone)]
pub struct CreatedWebhook {
    pub webhook: WebhookRow,
    pub secret: String,
}

/// Webhooks send what the blog does elsewhere: administrators only.
pub fn may_manage_webhooks(actor: &Identity) -> ServiceResult<()> {
    match actor.role == Role::Administrator {
        true => Ok(()),
        false => Err(ServiceError::Forbidden(
            "only administrators manage webhooks".into(),
        )),
    }
}

pub fn create(
    conn: &mut DbConn,
    new: NewWebhook,
    actor: &Identity,
) -> ServiceResult<CreatedWebhook> {
    may_manage_webhooks(actor)?;
    let secret = new.secret.unwrap_or_else(|| new_token("whsec_").0);
    let events = serde_json::to_string(&new.subscription.names).expect("names serialise");
    let row = NewWebhookRow {
        url: &new.url,
        events: &events,
        secret: &secret,
        created_at: now(),
    };
    let topics = new.subscription.topics();
    let webhook =
        conn.transaction(|conn| webhooks::insert(conn, &row, &topics).map_err(ServiceError::from))?;
    Ok(CreatedWebhook { webhook, secret })
}

pub fn list(conn: &mut DbConn, actor: &Identity) -> ServiceResult<Vec<WebhookRow>> {
    may_manage_webhooks(actor)?;
    Ok(webhooks::list(conn)?)
}

/// Deletes the webhook; deliveries not yet made are not made.
pub fn delete(conn: &mut DbConn, id: i64, actor: &Identity) -> ServiceResult<()> {
    may_manage_webhooks(actor)?;
    match webhooks::delete(conn, id)? {
        true => Ok(()),
        false => Err(ServiceError::NotFound("webhook")),
    }
}

/// The webhook's latest deliveries, newest first.
pub fn deliveries(conn: &mut DbConn, id: i64, actor: &Identity) -> ServiceResult<Vec<DeliveryRow>> {
    may_manage_webhooks(actor)?;
    if !webhooks::exists(conn, id)? {
        return Err(ServiceError::NotFound("webhook"));
    }
    Ok(webhooks::deliveries_of(conn, id, WEBHOOK_DELIVERIES_SHOWN)?)
}
