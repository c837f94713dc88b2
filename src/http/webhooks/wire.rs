//! The webhook routes' request body and answers.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::domain::patch::Patch;
use crate::domain::webhooks::{Subscription, webhook_secret, webhook_url};
use crate::http::extract::{BodyCheck, RequestBody, UnknownFields, check_body};
use crate::http::problem::ApiError;
use crate::http::rules::{not_null, required};
use crate::http::views::Time;
use crate::models::{DeliveryRow, WebhookRow};
use crate::services::webhooks::NewWebhook;

fn invalid(message: impl Into<Cow<'static, str>>) -> ValidationError {
    ValidationError::new("invalid").with_message(message.into())
}

fn url_rule(value: &Patch<String>) -> Result<(), ValidationError> {
    required(value)?;
    match value {
        Patch::Value(raw) => webhook_url(raw).map(drop).map_err(invalid),
        _ => Ok(()),
    }
}

fn events_rule(value: &Patch<Vec<String>>) -> Result<(), ValidationError> {
    required(value)?;
    match value {
        Patch::Value(names) => Subscription::parse(names).map(drop).map_err(invalid),
        _ => Ok(()),
    }
}

fn secret_rule(value: &Patch<String>) -> Result<(), ValidationError> {
    not_null(value)?;
    match value {
        Patch::Value(raw) => webhook_secret(raw).map(drop).map_err(invalid),
        _ => Ok(()),
    }
}

/// `POST /webhooks`. No `Debug`: it may hold a secret.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(as = NewWebhook, example = json!({"url": "https://builder.example.com/hooks/blog",
    "events": ["post.published", "post.updated", "post.deleted"]}))]
pub struct NewWebhookBody {
    /// Where deliveries are `POST`ed: an absolute http or https URL.
    #[serde(default)]
    #[validate(custom(function = "url_rule"))]
    #[schema(value_type = String, required = true, max_length = 2000)]
    url: Patch<String>,
    /// Event names, or `*` for every event.
    #[serde(default)]
    #[validate(custom(function = "events_rule"))]
    #[schema(value_type = Vec<String>, required = true, min_items = 1)]
    events: Patch<Vec<String>>,
    /// Signs each delivery; generated when not given. 16 to 200 characters.
    #[serde(default)]
    #[validate(custom(function = "secret_rule"))]
    #[schema(value_type = String, min_length = 16, max_length = 200)]
    secret: Patch<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    unknown: UnknownFields,
}

impl RequestBody for NewWebhookBody {
    const FIELDS: &'static [&'static str] = &["url", "events", "secret"];

    fn unknown_fields(&self) -> &UnknownFields {
        &self.unknown
    }
}

impl NewWebhookBody {
    pub fn into_input(self) -> Result<NewWebhook, ApiError> {
        let missing = |field: &str| ApiError::field(field, "is required");
        let url = self.url.value().ok_or_else(|| missing("url"))?;
        let names = self.events.value().ok_or_else(|| missing("events"))?;
        Ok(NewWebhook {
            url: webhook_url(&url).map_err(|message| ApiError::field("url", message))?,
            subscription: Subscription::parse(&names)
                .map_err(|message| ApiError::field("events", message))?,
            secret: self
                .secret
                .value()
                .map(|raw| {
                    webhook_secret(&raw).map_err(|message| ApiError::field("secret", message))
                })
                .transpose()?,
        })
    }
}

pub fn check_bodies(bytes: &[u8], outcomes: &mut Vec<BodyCheck>) {
    outcomes.push(check_body(
        "POST /webhooks",
        bytes,
        NewWebhookBody::into_input,
    ));
}

/// A webhook; never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: Time,
}

impl Webhook {
    pub fn new(row: WebhookRow) -> Self {
        Webhook {
            id: row.id,
            url: row.url,
            events: serde_json::from_str(&row.events).unwrap_or_default(),
            created_at: Time(row.created_at),
        }
    }
}

/// A new webhook, with its secret: shown this once. No `Debug`.
#[derive(Serialize, ToSchema)]
pub struct CreatedWebhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: Time,
    pub secret: String,
}

/// One event sent (or being sent) to a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    /// The delivery id, sent as `X-Webhook-Id` and the body's `id`.
    pub id: String,
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i32,
    /// The receiver's last answer; null when it gave none.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    /// Null once delivered or failed.
    pub next_attempt_at: Option<Time>,
    pub occurred_at: Time,
}

impl Delivery {
    pub fn new(row: DeliveryRow) -> Self {
        Delivery {
            id: row.delivery_id,
            event: row.event,
            state: row.state,
            attempts: row.attempts,
            last_status: row.last_status,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at.map(Time),
            occurred_at: Time(row.occurred_at),
        }
    }
}

/// A webhook's latest deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deliveries {
    pub items: Vec<Delivery>,
}
