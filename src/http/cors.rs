//! Cross-origin requests from the pages of `CORS_ALLOWED_ORIGINS` (an admin
//! UI on its own host, say), by `actix-cors`: each route answers preflights
//! with its own methods; other origins get no CORS headers at all.

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{Condition, Next};
use actix_web::web;

/// The origins whose pages may call the API.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins(Arc<Vec<String>>);

impl AllowedOrigins {
    pub fn new(origins: Vec<String>) -> Self {
        AllowedOrigins(Arc::new(origins))
    }

    fn allow(&self, origin: &[u8]) -> bool {
        self.0.iter().any(|allowed| allowed.as_bytes() == origin)
    }
}

/// The request headers a page may send.
const ALLOWED_HEADERS: [header::HeaderName; 4] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::IF_MATCH,
    header::IF_NONE_MATCH,
];

/// The answer headers a page may read.
const EXPOSED_HEADERS: [&str; 5] = ["ETag", "Location", "Link", "X-Total-Count", "Retry-After"];

/// CORS for a route that takes `methods`; nothing when no origin is allowed.
pub fn for_route(origins: &AllowedOrigins, methods: &[Method]) -> Condition<Cors> {
    let cors = origins
        .0
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(methods.iter().cloned())
        .allowed_headers(ALLOWED_HEADERS)
        .expose_headers(EXPOSED_HEADERS)
        .max_age(3600);
    Condition::new(!origins.0.is_empty(), cors)
}

/// Takes the CORS headers off an answer to a request from no allowed
/// origin (`actix-cors` names the exposed headers to everyone).
pub async fn only_for_allowed_origins(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let allowed = match (
        req.app_data::<web::Data<AllowedOrigins>>(),
        req.headers().get(header::ORIGIN),
    ) {
        (Some(origins), Some(origin)) => origins.allow(origin.as_bytes()),
        _ => false,
    };
    let mut response = next.call(req).await?;
    if !allowed {
        let headers = response.headers_mut();
        let cors: Vec<_> = headers
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors {
            headers.remove(name);
        }
    }
    Ok(response)
}
