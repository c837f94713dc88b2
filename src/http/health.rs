//! Liveness and readiness, outside `/api/v1`.

use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;
use serde_json::json;

use super::Db;
use super::problem::ApiError;
use crate::on_backend;

/// The process is up and serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers; 503 otherwise, so a load balancer can route around
/// an instance that cannot reach it.
pub async fn readyz(db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    db.run(|conn| Ok(on_backend!(conn, |c| c.batch_execute("SELECT 1"))?))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
