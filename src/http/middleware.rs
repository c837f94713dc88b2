//! What every request passes through before any handler, and what answers
//! a request no route takes.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::problem::ApiError;

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
