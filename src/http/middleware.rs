//! What every request passes through before any handler, and what answers
//! a request no route takes.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use actix_web::http::Method;
use actix_web::web;

use super::problem::ApiError;
use crate::services::webhooks::Bell;

/// Refuses a URL that encodes the NUL character before any handler sees it:
/// no stored text can hold one (PostgreSQL cannot), so such a path names
/// nothing (404) and such a query is malformed (400). Answered rather than
/// raised, so that the middleware around it sees an answer like any other.
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let encodes_nul = |text: &str| {
        text.as_bytes()
            .windows(3)
            .any(|window| window.eq_ignore_ascii_case(b"%00"))
    };
    let refusal = if encodes_nul(req.path()) {
        ApiError::NotFound("no such resource".into())
    } else if encodes_nul(req.query_string()) {
        ApiError::BadRequest("query parameters must not contain the NUL character (U+0000)".into())
    } else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    Ok(req.error_response(refusal).map_into_boxed_body())
}

/// Answers requests that match no route.
pub async fn no_such_route() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such route".into()))
}

/// After a write that succeeded, rings the webhook sender's bell: what the
/// write recorded in the outbox goes out at once, not at the next look.
pub async fn ring_after_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let bell = writes
        .then(|| req.app_data::<web::Data<Bell>>().cloned())
        .flatten();
    let response = next.call(req).await?;
    if let Some(bell) = bell
        && response.status().is_success()
    {
        bell.ring();
    }
    Ok(response)
}
