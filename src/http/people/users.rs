//! Users: create, list, read, change, delete, and the caller's own.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::bodies::{NewUserBody, UserFields};
use super::off_the_workers;
use crate::db::Database;
use crate::http::auth::Staff;
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::pages::{UserPageParams, page_response};
use crate::http::problem::ApiError;
use crate::http::{schemas, views};
use crate::services::people::rules::{self, sees_email};
use crate::services::people::secrets::{hash_password, verify_password};
use crate::services::people::users::{self, NewUser, PasswordChange, PasswordProof, UserUpdate};

/// Creates a user. Administrators create any role; editors, contributors
/// and authors.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "people",
    security(("bearer" = [])),
    request_body = NewUserBody,
    responses(
        (status = 201, description = "Created", body = views::User,
            headers(("Location" = String, description = "The new user's URL"))),
        (status = 403, description = "The caller may not create users of this role"),
        (status = 409, description = "The email is in use; `slug` names the user who has it"),
    ),
)]
pub async fn create_user(
    db: web::Data<Database>,
    Staff(actor): Staff,
    body: JsonBody<NewUserBody>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner().into_input()?;
    // Refused before the slow hash is computed.
    rules::may_create(&actor, input.role).map_err(ApiError::Forbidden)?;
    let password = input.password;
    let password_hash = off_the_workers(move || hash_password(&password)).await?;
    let new = NewUser {
        name: input.name,
        email: input.email,
        role: input.role,
        bio: input.bio,
        password_hash,
    };
    let user = db.run(move |conn| users::create(conn, &actor, new)).await?;
    let location = format!("/api/v1/users/{}", user.slug);
    let with_email = sees_email(&actor, &user);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(views::User::new(user, with_email)))
}

/// Every user, by name (editors and administrators).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "people",
    security(("bearer" = [])),
    params(UserPageParams),
    responses(
        (status = 200, description = "A page of users", body = views::List<views::User>,
            headers(
                ("X-Total-Count" = i64, description = "Everything that matches, on every page"),
                ("Link" = String, description = "The first, previous, next and last pages (RFC 8288)"),
            )),
        (status = 403, description = "Contributors and authors read only themselves"),
    ),
)]
pub async fn list_users(
    req: HttpRequest,
    db: web::Data<Database>,
    Staff(actor): Staff,
    params: QueryParams<UserPageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.0.request()?;
    let found = db.run(move |conn| users::list(conn, &actor, page)).await?;
    let list = views::List::new(found, |user| {
        let with_email = sees_email(&actor, &user);
        views::User::new(user, with_email)
    });
    Ok(page_response(&req, &list, &list))
}

/// One user: anyone themself; editors and administrators anyone.
#[utoipa::path(
    get,
    path = "/api/v1/users/{slug}",
    tag = "people",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The user's slug", example = "ada-lovelace")),
    responses(
        (status = 200, description = "The user", body = views::User),
        (status = 403, description = "Contributors and authors read only themselves"),
        (status = 404, description = "No such user"),
    ),
)]
pub async fn get_user(
    db: web::Data<Database>,
    Staff(actor): Staff,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let user = db.run(move |conn| users::get(conn, &actor, &slug)).await?;
    let with_email = sees_email(&actor, &user);
    Ok(HttpResponse::Ok().json(views::User::new(user, with_email)))
}

/// The caller's own user, with the email.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "people",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = views::User)),
)]
pub async fn me(db: web::Data<Database>, Staff(actor): Staff) -> Result<HttpResponse, ApiError> {
    let user = db.run(move |conn| users::me(conn, &actor)).await?;
    Ok(HttpResponse::Ok().json(views::User::new(user, true)))
}

/// Changes a user. Users change their own name, email, bio and password (a
/// password change needs `current_password` and ends their other sessions);
/// administrators change anyone, role included; editors change contributors
/// and authors, role only among those two.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{slug}",
    tag = "people",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The user's slug", example = "ada-lovelace")),
    request_body = UserFields,
    responses(
        (status = 200, description = "The changed user", body = views::User),
        (status = 403, description = "The caller may not make this change"),
        (status = 404, description = "No such user"),
        (status = 409, description = "The email is in use; `slug` names the user who has it"),
    ),
)]
pub async fn update_user(
    db: web::Data<Database>,
    Staff(actor): Staff,
    slug: web::Path<String>,
    body: JsonBody<UserFields>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner().into_input()?;
    let slug = slug.into_inner();
    let password = match input.password {
        None => None,
        Some(password) => {
            // Refused, or counted against the lock-out, before any hashing.
            let (target, role) = (slug.clone(), input.role);
            let proof = db
                .run(move |conn| users::begin_password_change(conn, &actor, &target, role))
                .await?;
            let proven = match proof {
                PasswordProof::NotNeeded => None,
                PasswordProof::Needed { stored, attempt } => {
                    let current = input.current_password.unwrap_or_default();
                    let right =
                        off_the_workers(move || verify_password(&current, Some(&stored))).await?;
                    if !right {
                        return Err(users::wrong_current_password().into());
                    }
                    Some(attempt)
                }
            };
            let new_hash = off_the_workers(move || hash_password(&password)).await?;
            Some(PasswordChange { new_hash, proven })
        }
    };
    let update = UserUpdate {
        name: input.name,
        email: input.email,
        bio: input.bio,
        role: input.role,
        password,
    };
    let user = db
        .run(move |conn| users::update(conn, &actor, &slug, update))
        .await?;
    let with_email = sees_email(&actor, &user);
    Ok(HttpResponse::Ok().json(views::User::new(user, with_email)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteUserParams {
    /// The slug of the user who gets the deleted user's posts; needed when
    /// they have any.
    #[param(schema_with = schemas::slug_schema)]
    reassign_to: Option<String>,
}

/// Deletes a user (administrators; never the owner). Their posts go to
/// `reassign_to`; their sessions and keys stop working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{slug}",
    tag = "people",
    security(("bearer" = [])),
    params(
        ("slug" = String, Path, description = "The user's slug", example = "ada-lovelace"),
        DeleteUserParams,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only administrators delete users, and the owner stays"),
        (status = 404, description = "No such user"),
        (status = 409, description = "The user has posts and no `reassign_to` was given"),
        (status = 422, description = "`reassign_to` names no other user"),
    ),
)]
pub async fn delete_user(
    db: web::Data<Database>,
    Staff(actor): Staff,
    slug: web::Path<String>,
    params: QueryParams<DeleteUserParams>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let heir = params.0.reassign_to;
    db.run(move |conn| users::delete(conn, &actor, &slug, heir.as_deref()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
