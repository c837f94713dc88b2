//! Credentials: signing in and out, and personal keys.

use actix_web::{HttpRequest, HttpResponse, web};

use super::bodies::{NewKeyBody, SignInBody};
use super::off_the_workers;
use crate::db::Database;
use crate::domain::page::Page;
use crate::domain::people::email_key;
use crate::http::auth::Staff;
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::pages::{UserPageParams, page_response};
use crate::http::problem::ApiError;
use crate::http::views;
use crate::services::people::credentials::{self, SignIn};
use crate::services::people::rules::sees_every_key;
use crate::services::people::secrets::verify_password;

/// How long a new session lasts (`SESSION_TTL_HOURS`).
#[derive(Debug, Clone, Copy)]
pub struct SessionTtl(pub chrono::Duration);

/// Signs in with an email and a password: a new session token. A wrong
/// email and a wrong password get the same answer in about the same time;
/// after 5 failures for one email in 15 minutes, it is locked (429).
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "people",
    security(()),
    request_body = SignInBody,
    responses(
        (status = 201, description = "Signed in; the token is shown this once", body = views::Session),
        (status = 401, description = "Wrong email or password"),
        (status = 429, description = "Too many failed sign-ins for this email lately",
            headers(("Retry-After" = i64, description = "Seconds until the next attempt may succeed"))),
    ),
)]
pub async fn sign_in(
    db: web::Data<Database>,
    ttl: web::Data<SessionTtl>,
    body: JsonBody<SignInBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let key = email_key(&body.email.value().unwrap_or_default());
    let presented = body.password.value().unwrap_or_default();
    // Counted as a failure from here until the password proves right.
    let SignIn {
        attempt,
        user,
        password_hash,
    } = db
        .run(move |conn| credentials::begin_sign_in(conn, &key))
        .await?;
    let right =
        off_the_workers(move || verify_password(&presented, password_hash.as_deref())).await?;
    let Some(user) = user.filter(|_| right) else {
        return Err(ApiError::SignInRefused);
    };
    let ttl = ttl.0;
    let issued = db
        .run(move |conn| credentials::start_session(conn, attempt, user, ttl))
        .await?;
    Ok(
        secret_bearing(HttpResponse::Created()).json(views::Session {
            token: issued.token,
            expires_at: issued.credential.expires_at.map(views::Time),
            user: views::User::new(issued.user, true),
        }),
    )
}

/// An answer that carries a token: no cache may keep it.
fn secret_bearing(mut response: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    response.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    response
}

/// Ends the calling session: its token stops working at once, on every
/// instance.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "people",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 422, description = "The credential is a key or the admin token, not a session"),
    ),
)]
pub async fn sign_out(
    db: web::Data<Database>,
    Staff(actor): Staff,
) -> Result<HttpResponse, ApiError> {
    db.run(move |conn| credentials::end_session(conn, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new personal key of the caller, acting with the caller's role.
#[utoipa::path(
    post,
    path = "/api/v1/keys",
    tag = "people",
    security(("bearer" = [])),
    request_body = NewKeyBody,
    responses(
        (status = 201, description = "Created; the token is shown this once", body = views::NewKey),
    ),
)]
pub async fn create_key(
    db: web::Data<Database>,
    Staff(actor): Staff,
    body: JsonBody<NewKeyBody>,
) -> Result<HttpResponse, ApiError> {
    let name = body.into_inner().into_name()?;
    let issued = db
        .run(move |conn| credentials::create_key(conn, &actor, &name))
        .await?;
    Ok(secret_bearing(HttpResponse::Created()).json(views::NewKey {
        id: issued.credential.id,
        name: issued.credential.name.unwrap_or_default(),
        token: issued.token,
        created_at: views::Time(issued.credential.created_at),
    }))
}

/// The caller's keys, newest first, never their tokens; an administrator's
/// list has everyone's, each with its `user`.
#[utoipa::path(
    get,
    path = "/api/v1/keys",
    tag = "people",
    security(("bearer" = [])),
    params(UserPageParams),
    responses((status = 200, description = "A page of keys", body = views::List<views::Key>,
            headers(
                ("X-Total-Count" = i64, description = "Everything that matches, on every page"),
                ("Link" = String, description = "The first, previous, next and last pages (RFC 8288)"),
            ))),
)]
pub async fn list_keys(
    req: HttpRequest,
    db: web::Data<Database>,
    Staff(actor): Staff,
    params: QueryParams<UserPageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = params.0.request()?;
    let keys = db.run(move |conn| credentials::keys(conn, &actor)).await?;
    let page = Page::cut(keys, request);
    let with_user = sees_every_key(&actor);
    let list = views::List::new(page, |(key, user)| {
        views::Key::new(key, with_user.then_some(user))
    });
    Ok(page_response(&req, &list, &list))
}

/// Deletes a key: the caller's own, or (administrators) anyone's. Its
/// token stops working at once, on every instance.
#[utoipa::path(
    delete,
    path = "/api/v1/keys/{id}",
    tag = "people",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The key's id", example = 3)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such key among those the caller manages"),
    ),
)]
pub async fn delete_key(
    db: web::Data<Database>,
    Staff(actor): Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db.run(move |conn| credentials::delete_key(conn, &actor, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
