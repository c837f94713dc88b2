//! One action over many posts.

use actix_web::{HttpResponse, web};

use super::bodies::{BulkFields, BulkReport, BulkRequest};
use crate::db::Database;
use crate::http::auth::Staff;
use crate::http::extract::JsonBody;
use crate::http::problem::ApiError;
use crate::services::posts;

/// One action on many posts, in one transaction and one statement.
#[utoipa::path(
    post,
    path = "/api/v1/posts/bulk",
    tag = "posts",
    security(("bearer" = [])),
    request_body = BulkFields,
    responses((status = 200, description = "What the action did", body = BulkReport)),
)]
pub async fn bulk(
    db: web::Data<Database>,
    Staff(caller): Staff,
    body: JsonBody<BulkRequest>,
) -> Result<HttpResponse, ApiError> {
    let (ids, action) = body.into_inner().into_action()?;
    let outcome = db
        .run(move |conn| posts::bulk(conn, &ids, &action, &caller))
        .await?;
    Ok(HttpResponse::Ok().json(BulkReport {
        matched: outcome.matched,
        updated: outcome.updated,
    }))
}
