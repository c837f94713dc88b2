//! Extractors that turn a request into typed input or a problem+json error
//! with the right status: 415 for a body that is not JSON, 413 for one over
//! the limit, 400 for malformed JSON or a value of the wrong JSON type
//! (saying where), 422 for well-formed JSON that breaks a rule.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::{DeserializeOwned, IgnoredAny};
use utoipa::openapi::{RefOr, Schema};
use validator::Validate;

use super::problem::{ApiError, FieldErrors, field_errors};
use crate::domain::limits::PageSize;
use crate::domain::page::PageRequest;

/// Members of a JSON body that the request type does not know. They are
/// collected rather than refused by serde so that they can be reported as
/// 422, each under its own name.
pub type UnknownFields = BTreeMap<String, IgnoredAny>;

/// A JSON request body: deserialised, then validated.
pub trait RequestBody: DeserializeOwned + Validate + 'static {
    /// The field names the body accepts, for the unknown-field message.
    const FIELDS: &'static [&'static str];

    fn unknown_fields(&self) -> &UnknownFields;
}

/// A `POST` body: the same members as the resource's `PATCH`, where all are
/// optional, with one of them required.
pub trait CreateBody: RequestBody {
    /// The member that must be present.
    const REQUIRED: &'static str;
    /// The OpenAPI name of the `POST` body.
    const SCHEMA_NAME: &'static str;

    fn has_required(&self) -> bool;
}

#[derive(Debug, serde::Deserialize)]
#[serde(transparent)]
pub struct Create<T>(pub T);

impl<T: CreateBody> Validate for Create<T> {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        let mut errors = self.0.validate().err().unwrap_or_default();
        if !self.0.has_required() {
            errors.add(
                T::REQUIRED,
                validator::ValidationError::new("required").with_message("is required".into()),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The resource's `PATCH` schema with the required member marked so.
impl<T: CreateBody + utoipa::ToSchema> utoipa::PartialSchema for Create<T> {
    fn schema() -> RefOr<Schema> {
        let mut schema = T::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required.insert(0, T::REQUIRED.to_owned());
        }
        schema
    }
}

impl<T: CreateBody + utoipa::ToSchema> utoipa::ToSchema for Create<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        T::SCHEMA_NAME.into()
    }
}

impl<T: CreateBody> RequestBody for Create<T> {
    const FIELDS: &'static [&'static str] = T::FIELDS;

    fn unknown_fields(&self) -> &UnknownFields {
        self.0.unknown_fields()
    }
}

/// How long a client may take to send a body.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

impl Default for BodyTimeout {
    fn default() -> Self {
        Self(std::time::Duration::from_secs(15))
    }
}

pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: RequestBody> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if let Err(error) = check_content_type(req) {
            return Box::pin(async move { Err(error) });
        }
        let bytes = web::Bytes::from_request(req, payload);
        let timeout = req.app_data::<BodyTimeout>().copied().unwrap_or_default().0;
        Box::pin(async move {
            let bytes = actix_web::rt::time::timeout(timeout, bytes)
                .await
                .map_err(|_| {
                    ApiError::RequestTimeout(format!(
                        "the request body did not arrive within {} s",
                        timeout.as_secs()
                    ))
                })?;
            let bytes = bytes.map_err(|error| {
                if error.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge("the request body is larger than the limit".into())
                } else {
                    ApiError::BadRequest(format!("the request body could not be read: {error}"))
                }
            })?;
            parse_body(&bytes).map(JsonBody)
        })
    }
}

/// A body's bytes to a validated value: 400 for JSON that is malformed or
/// of the wrong type, 422 naming each field that breaks a rule or is
/// unknown.
pub fn parse_body<T: RequestBody>(bytes: &[u8]) -> Result<T, ApiError> {
    let body: T = parse_json(bytes)?;
    let mut errors = match body.validate() {
        Ok(()) => FieldErrors::new(),
        Err(errors) => field_errors(&errors),
    };
    for name in body.unknown_fields().keys() {
        errors.entry(name.clone()).or_default().push(format!(
            "unknown field; expected one of: {}",
            T::FIELDS.join(", ")
        ));
    }
    if errors.is_empty() {
        Ok(body)
    } else {
        Err(ApiError::validation(errors))
    }
}

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let refused =
        || ApiError::UnsupportedMediaType("the request body must be application/json".into());
    let mime = match req.mime_type() {
        Ok(Some(mime)) => mime,
        Ok(None) | Err(_) => return Err(refused()),
    };
    let is_json = mime.type_() == "application"
        && (mime.subtype() == "json" || mime.suffix().is_some_and(|suffix| suffix == "json"));
    let utf8 = mime
        .get_param("charset")
        .is_none_or(|charset| charset.as_str().eq_ignore_ascii_case("utf-8"));
    if is_json && utf8 {
        Ok(())
    } else {
        Err(refused())
    }
}

/// How one body type took some bytes: accepted and turned into domain
/// values, refused with a status, or accepted by validation and then
/// refused by the domain type, which would mean the two disagree.
#[derive(Debug)]
pub struct BodyCheck {
    pub route: &'static str,
    pub outcome: Result<(), BodyFault>,
}

#[derive(Debug)]
pub enum BodyFault {
    /// Refused as the route would refuse it.
    Refused(StatusCode),
    /// Validation passed but the conversion to domain values failed.
    Disagreed(ApiError),
}

/// Parses `bytes` as the route's body type, then converts it as the
/// handler would.
pub fn check_body<T: RequestBody, U>(
    route: &'static str,
    bytes: &[u8],
    convert: impl FnOnce(T) -> Result<U, ApiError>,
) -> BodyCheck {
    let outcome = match parse_body::<T>(bytes) {
        Err(error) => Err(BodyFault::Refused(actix_web::ResponseError::status_code(
            &error,
        ))),
        Ok(body) => convert(body).map(drop).map_err(BodyFault::Disagreed),
    };
    BodyCheck { route, outcome }
}

/// Parses JSON, naming the member at fault in the error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| describe_json_error(error.path(), error.inner()))?;
    deserializer
        .end()
        .map_err(|error| ApiError::BadRequest(format!("malformed JSON: {error}")))?;
    Ok(value)
}

fn describe_json_error(path: &serde_path_to_error::Path, error: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Data => {
            let place = path.to_string();
            if place == "." {
                ApiError::BadRequest(format!("wrong JSON type for the body: {error}"))
            } else {
                ApiError::BadRequest(format!("wrong JSON type for `{place}`: {error}"))
            }
        }
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::BadRequest(format!("malformed JSON: {error}"))
        }
    }
}

/// Query parameters; repeated keys (`tag=a&tag=b`) fill a `Vec`.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let deserializer = serde_html_form::Deserializer::from_bytes(req.query_string().as_bytes());
        std::future::ready(
            serde_path_to_error::deserialize(deserializer)
                .map(QueryParams)
                .map_err(|error| bad_parameter("query parameter", error.path(), error.inner())),
        )
    }
}

fn bad_parameter(kind: &str, path: &serde_path_to_error::Path, error: impl Display) -> ApiError {
    let place = path.to_string();
    if place == "." {
        ApiError::BadRequest(format!("bad {kind}: {error}"))
    } else {
        ApiError::BadRequest(format!("bad {kind} `{place}`: {error}"))
    }
}

/// Answers a path parameter that does not parse (`/posts/abc`) with 400.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _| {
        ApiError::BadRequest(format!("bad path parameter: {error}")).into()
    })
}

/// A bad value of one query parameter.
pub fn bad_query(name: &str, message: impl Display) -> ApiError {
    ApiError::BadRequest(format!("bad query parameter `{name}`: {message}"))
}

/// For an optional query parameter that, when given, must hold a value:
/// `per_page=` is a bad number, not a missing one. Use with
/// `#[serde(default, deserialize_with = "given")]`.
pub fn given<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// The page a request asks for, or a 400 naming the parameter at fault.
pub fn page_request(
    page: Option<u32>,
    per_page: Option<u32>,
    size: PageSize,
) -> Result<PageRequest, ApiError> {
    PageRequest::parse(page, per_page, size).map_err(|bad| bad_query(bad.name, bad.message))
}
