//! Webhook routes (administrators): create, list, delete, and the log of a
//! webhook's latest deliveries.

mod wire;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

use super::auth::Staff;
use super::extract::{JsonBody, QueryParams};
use super::pages::{UserPageParams, page_response};
use super::problem::ApiError;
use super::routes::{Endpoint, endpoint};
use super::views;
use crate::db::Database;
use crate::domain::page::Page;
use crate::services::webhooks;

pub use wire::check_bodies;
use wire::{CreatedWebhook, Deliveries, Delivery, NewWebhookBody, Webhook};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint(Method::GET, "/api/v1/webhooks", list_webhooks),
        endpoint(Method::POST, "/api/v1/webhooks", create_webhook),
        endpoint(Method::DELETE, "/api/v1/webhooks/{id}", delete_webhook),
        endpoint(Method::GET, "/api/v1/webhooks/{id}/deliveries", deliveries),
    ]
}

/// A new webhook; its secret (generated when not given) is shown this once.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = NewWebhookBody,
    responses(
        (status = 201, description = "Created; the secret is shown this once", body = CreatedWebhook),
    ),
)]
pub async fn create_webhook(
    db: web::Data<Database>,
    Staff(actor): Staff,
    body: JsonBody<NewWebhookBody>,
) -> Result<HttpResponse, ApiError> {
    webhooks::may_manage_webhooks(&actor)?;
    let new = body.into_inner().into_input()?;
    let created = db
        .run(move |conn| webhooks::create(conn, new, &actor))
        .await?;
    let webhook = Webhook::new(created.webhook);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(CreatedWebhook {
            id: webhook.id,
            url: webhook.url,
            events: webhook.events,
            created_at: webhook.created_at,
            secret: created.secret,
        }))
}

/// Every webhook, oldest first; never a secret.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    params(UserPageParams),
    responses((status = 200, description = "A page of webhooks", body = views::List<Webhook>,
            headers(
                ("X-Total-Count" = i64, description = "Everything that matches, on every page"),
                ("Link" = String, description = "The first, previous, next and last pages (RFC 8288)"),
            ))),
)]
pub async fn list_webhooks(
    req: HttpRequest,
    db: web::Data<Database>,
    Staff(actor): Staff,
    params: QueryParams<UserPageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = params.0.request()?;
    let all = db.run(move |conn| webhooks::list(conn, &actor)).await?;
    let page = Page::cut(all, request);
    let list = views::List::new(page, Webhook::new);
    Ok(page_response(&req, &list, &list))
}

/// Deletes a webhook: deliveries not yet made are not made.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The webhook's id", example = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such webhook"),
    ),
)]
pub async fn delete_webhook(
    db: web::Data<Database>,
    Staff(actor): Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db.run(move |conn| webhooks::delete(conn, id, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The webhook's latest 100 deliveries, newest first: each event's
/// delivery id, attempts, last answer and next attempt.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}/deliveries",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The webhook's id", example = 1)),
    responses(
        (status = 200, description = "The latest deliveries", body = Deliveries),
        (status = 404, description = "No such webhook"),
    ),
)]
pub async fn deliveries(
    db: web::Data<Database>,
    Staff(actor): Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rows = db
        .run(move |conn| webhooks::deliveries(conn, id, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(Deliveries {
        items: rows.into_iter().map(Delivery::new).collect(),
    }))
}
