//! Liveness and readiness, outside `/api/v1`.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::problem::ApiError;
use crate::db::Database;
use crate::services::ServiceError;

/// Liveness: the process is up and serving.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    security(()),
    responses((status = 200, description = "Serving", body = Object, example = json!({"status": "ok"}))),
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Readiness: the database answers; 503 otherwise, so a load balancer can
/// route around an instance that cannot reach it.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    security(()),
    responses((status = 200, description = "Ready", body = Object, example = json!({"status": "ready"}))),
)]
pub async fn readyz(db: web::Data<Database>) -> Result<HttpResponse, ApiError> {
    db.run(|conn| Ok::<_, ServiceError>(conn.ping()?)).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
