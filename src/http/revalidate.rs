//! Revalidation by the public — a CDN or a browser asking whether the copy
//! it holds is current — answered from what is known, around each public
//! read (`routes::public_read`).
//!
//! The committed changes are read once, on arrival; the answer made for
//! the request is made of them (its handler takes the reading), and its ETag
//! is remembered beside them. A later revalidation that reads the same
//! changes, before a scheduled post comes due that could change the answer,
//! names the same answer: `304` with no look-up, no fingerprint, no handler.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use super::delivery::{CheckedOnArrival, not_modified};
use super::preconditions::client_has;
use super::problem::ApiError;
use crate::cache::{Cache, KnownEtag};
use crate::db::Database;
use crate::domain::time::now;

/// A revalidation by the public (a `GET` with `If-None-Match` and no
/// `Authorization`) is answered `304` when its answer is known unchanged;
/// otherwise the route answers it, and its ETag is remembered for the next.
pub async fn answer_known_revalidations(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let headers = req.headers();
    let public_revalidation = req.method() == Method::GET
        && headers.contains_key(header::IF_NONE_MATCH)
        && !headers.contains_key(header::AUTHORIZATION);
    let shared = req
        .app_data::<web::Data<Database>>()
        .zip(req.app_data::<web::Data<Cache>>());
    let Some((db, cache)) = shared.filter(|_| public_revalidation) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let (db, cache) = (db.clone(), cache.clone());
    let changes = match cache.check(&db).await {
        Ok(changes) => changes,
        Err(error) => return Ok(req.error_response(ApiError::from(&error))),
    };
    let target = req
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str());
    let held = |etag: &str| client_has(req.request(), etag);
    if let Some(known) = cache.known_etags().held(changes, target, now(), held) {
        let answer = not_modified(req.request(), &known);
        return Ok(req.into_response(answer));
    }
    let target = target.to_owned();
    req.extensions_mut().insert(CheckedOnArrival(changes));
    let mut response = next.call(req).await?.map_into_boxed_body();
    let made = response
        .response_mut()
        .extensions_mut()
        .remove::<KnownEtag>();
    if let Some(known) = made {
        cache.known_etags().remember(changes, &target, known);
    }
    Ok(response)
}
