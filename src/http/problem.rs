//! Errors as `application/problem+json` (RFC 9457). Internal causes are
//! logged and never sent: a 500 or 503 says only what the client can act on.

use std::borrow::Cow;
use std::collections::BTreeMap;

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use validator::{ValidationErrors, ValidationErrorsKind};

use crate::db::DbError;
use crate::services::ServiceError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Messages per request field, keyed like `title` or `tags[3]`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// Malformed JSON, a JSON value of the wrong type, or a bad query or path parameter.
    #[error("{0}")]
    BadRequest(String),
    #[error("missing or wrong bearer token")]
    Unauthorized { token_presented: bool },
    /// Wrong email or password, one answer for both.
    #[error("wrong email or password")]
    SignInRefused,
    /// The caller may see this but not do it.
    #[error("{0}")]
    Forbidden(String),
    /// The caller may not do what these members ask (such as create tags).
    #[error("{detail}")]
    ForbiddenMembers { detail: String, errors: FieldErrors },
    #[error("{0}")]
    NotFound(Cow<'static, str>),
    /// The slug or name is taken; `slug` names the resource that has it.
    #[error("{detail}")]
    Conflict { detail: String, slug: String },
    #[error("the resource has changed: If-Match does not match its current ETag")]
    PreconditionFailed,
    /// The client sent its body too slowly.
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Well-formed JSON that breaks a rule.
    #[error("request body failed validation")]
    Validation(FieldErrors),
    /// Too many attempts lately; `Retry-After` says when to try again.
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: i64,
    },
    /// Logged; the client is told only to retry later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Lost races with concurrent requests for a slug or a name too many
    /// times in a row; logged, and the client told to retry.
    #[error("gave up under contention: {0}")]
    Contended(String),
    /// Logged; the client is told nothing of it.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn validation(errors: FieldErrors) -> Self {
        ApiError::Validation(errors)
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(FieldErrors::from([(field.into(), vec![message.into()])]))
    }

    fn detail(&self) -> Cow<'_, str> {
        match self {
            ApiError::Unavailable(_) => "the database is unavailable; try again shortly".into(),
            ApiError::Contended(_) => {
                "too many concurrent requests wanted the same slug or name; try again".into()
            }
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged".into(),
            other => other.to_string().into(),
        }
    }
}

/// An RFC 9457 problem: every error body.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "about:blank", "title": "Unprocessable Entity", "status": 422,
    "detail": "request body failed validation",
    "errors": {"title": ["must be 1 to 200 characters"], "tags[3]": ["must be 1 to 50 characters"]}
}))]
pub struct Problem<'a> {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    status: u16,
    /// What went wrong and, for a bad parameter or member, where.
    detail: &'a str,
    /// For 422 (and a 403 that refuses members): messages per field, keyed
    /// like `title` or `tags[3]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, Vec<String>>>)]
    errors: Option<&'a FieldErrors>,
    /// For 409: the slug of the resource that already has the slug or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } | ApiError::SignInRefused => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::ForbiddenMembers { .. } => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) | ApiError::Contended(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = self.detail();
        let errors = match self {
            ApiError::Validation(errors) | ApiError::ForbiddenMembers { errors, .. } => {
                Some(errors)
            }
            _ => None,
        };
        let slug = match self {
            ApiError::Conflict { slug, .. } => Some(slug.as_str()),
            _ => None,
        };
        let mut response = HttpResponse::build(status);
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthorized {
                token_presented: false,
            }
            | ApiError::SignInRefused => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="blog""#));
            }
            ApiError::Unauthorized {
                token_presented: true,
            } => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    r#"Bearer realm="blog", error="invalid_token""#,
                ));
            }
            ApiError::Unavailable(_) | ApiError::Contended(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            // The rest of the body may still be on its way; the connection
            // cannot be reused.
            ApiError::RequestTimeout(_) => {
                response.insert_header((header::CONNECTION, "close"));
            }
            _ => {}
        }
        response.body(problem_body(status, &detail, errors, slug))
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound(what) => ApiError::NotFound(format!("{what} not found").into()),
            ServiceError::SlugTaken { slug } => ApiError::Conflict {
                detail: format!("the slug `{slug}` is already taken"),
                slug,
            },
            ServiceError::TagNameTaken { slug } => ApiError::Conflict {
                detail: "a tag has this name, as its name or an alias".into(),
                slug,
            },
            ServiceError::TagInUse { slug, posts } => ApiError::Conflict {
                detail: format!(
                    "the tag is on {posts} post(s), counting drafts and trashed posts; \
                     delete with ?force=true to detach it everywhere"
                ),
                slug,
            },
            ServiceError::PreconditionFailed => ApiError::PreconditionFailed,
            ServiceError::Forbidden(detail) => ApiError::Forbidden(detail),
            ServiceError::NewTagsRefused(names) => ApiError::ForbiddenMembers {
                detail: "contributors use existing tags only; these do not exist yet".into(),
                errors: FieldErrors::from([(
                    "tags".to_owned(),
                    names
                        .iter()
                        .map(|name| format!("`{name}` is not a tag yet"))
                        .collect(),
                )]),
            },
            ServiceError::EmailTaken { slug } => ApiError::Conflict {
                detail: "a user with this email already exists".into(),
                slug,
            },
            ServiceError::UserHasPosts { slug, posts } => ApiError::Conflict {
                detail: format!(
                    "the user has {posts} post(s), trashed ones included; \
                     delete with ?reassign_to=<user slug> to give them to another user"
                ),
                slug,
            },
            ServiceError::SignInRefused => ApiError::SignInRefused,
            ServiceError::CallerGone => ApiError::Unauthorized {
                token_presented: true,
            },
            ServiceError::SignInLocked { retry_after_secs } => ApiError::TooManyRequests {
                detail: format!(
                    "too many failed sign-ins for this email; try again in {retry_after_secs} s"
                ),
                retry_after_secs,
            },
            ServiceError::Invalid { field, message } => ApiError::field(field, message),
            ServiceError::Contended(cause) => {
                log::warn!("gave up under contention: {cause}");
                ApiError::Contended(cause)
            }
            ServiceError::Database(error) => ApiError::from(&error),
        }
    }
}

impl From<&DbError> for ApiError {
    /// An outage is a 503 (retry), anything else a 500; both are logged.
    fn from(error: &DbError) -> Self {
        match error {
            DbError::Unavailable(cause) => {
                log::warn!("database unavailable: {cause}");
                ApiError::Unavailable(cause.clone())
            }
            DbError::ConnectionLost(cause) => {
                log::warn!("database connection lost: {cause}");
                ApiError::Unavailable(format!("the connection was lost: {cause}"))
            }
            DbError::Query(_) | DbError::Aborted(_) => {
                log::error!("{error}");
                ApiError::Internal(error.to_string())
            }
            DbError::Shared(error) => ApiError::from(error.as_ref()),
        }
    }
}

/// Flattens validator's nested errors into `field` and `field[index]` keys,
/// with the rule's message for each.
pub fn field_errors(errors: &ValidationErrors) -> FieldErrors {
    let mut flat = FieldErrors::new();
    collect(errors, None, &mut flat);
    flat
}

fn collect(errors: &ValidationErrors, prefix: Option<&str>, flat: &mut FieldErrors) {
    for (field, kind) in errors.errors() {
        let key = match prefix {
            Some(prefix) => format!("{prefix}.{field}"),
            None => field.to_string(),
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                flat.entry(key)
                    .or_default()
                    .extend(list.iter().map(|error| {
                        error
                            .message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| error.code.to_string())
                    }))
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, Some(&key), flat),
            // List items are single values in this API: `tags[3]`, not `tags[3].name`.
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    let mut item_errors = FieldErrors::new();
                    collect(inner, None, &mut item_errors);
                    flat.entry(format!("{key}[{index}]"))
                        .or_default()
                        .extend(item_errors.into_values().flatten());
                }
            }
        }
    }
}

/// Gives every error response that is not already problem+json (actix's own
/// 404s and 405s, errors raised outside the handlers) a problem body.
pub fn ensure_problem_body<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct == HeaderValue::from_static(PROBLEM_JSON));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let detail = match status {
        StatusCode::NOT_FOUND => "no such route",
        StatusCode::METHOD_NOT_ALLOWED => "the route does not allow this method",
        s if s.is_server_error() => {
            log::error!(
                "{s} raised outside the handlers for {}",
                response.request().path()
            );
            "an unexpected error occurred; it has been logged"
        }
        s => s.canonical_reason().unwrap_or("the request failed"),
    };
    let (request, original) = response.into_parts();
    let mut problem = HttpResponse::build(status);
    // Keep headers such as `Allow` and `WWW-Authenticate`.
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.append_header((name.clone(), value.clone()));
        }
    }
    let body = problem_body(status, detail, None, None);
    let problem = problem.content_type(PROBLEM_JSON).body(body);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, problem).map_into_right_body(),
    ))
}

fn problem_body(
    status: StatusCode,
    detail: &str,
    errors: Option<&FieldErrors>,
    slug: Option<&str>,
) -> String {
    let problem = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        errors,
        slug,
    };
    serde_json::to_string(&problem).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;

    use super::*;

    fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.error_response();
        let status = response.status();
        let bytes = response.into_body().try_into_bytes().unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn internal_causes_stay_out_of_the_body() {
        let cause =
            r#"relation "posts" does not exist at SELECT * FROM posts WHERE password = 'x'"#;
        for error in [
            ApiError::Internal(cause.into()),
            ApiError::Unavailable(cause.into()),
        ] {
            let (status, body) = body_of(error);
            let text = body.to_string();
            assert!(status.is_server_error());
            assert!(
                !text.contains("SELECT") && !text.contains("posts") && !text.contains("password"),
                "{text}"
            );
            assert_eq!(body["status"], status.as_u16());
        }
    }

    #[test]
    fn giving_up_under_contention_is_a_503_to_retry() {
        let error = ApiError::from(ServiceError::Contended("creating a post".into()));
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "1");
        let (_, body) = body_of(error);
        assert_eq!(
            body["detail"],
            "too many concurrent requests wanted the same slug or name; try again"
        );
    }

    #[test]
    fn database_errors_become_generic_500s() {
        let error = ApiError::from(ServiceError::Database(DbError::Query(
            diesel::result::Error::QueryBuilderError("SELECT secret FROM internals".into()),
        )));
        let (status, body) = body_of(error);
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.to_string().contains("secret"));
    }

    #[test]
    fn nested_validation_errors_are_keyed_by_field_and_index() {
        let mut item = ValidationErrors::new();
        item.add(
            "name",
            validator::ValidationError::new("len").with_message("too long".into()),
        );
        let mut errors = ValidationErrors::new();
        errors.add(
            "title",
            validator::ValidationError::new("len").with_message("bad".into()),
        );
        errors.errors_mut().insert(
            "tags".into(),
            ValidationErrorsKind::List([(3, Box::new(item))].into()),
        );
        let flat = field_errors(&errors);
        assert_eq!(flat["title"], ["bad"]);
        assert_eq!(flat["tags[3]"], ["too long"]);
    }
}
