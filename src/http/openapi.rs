//! The OpenAPI 3.1 description of the API, generated from the handlers'
//! annotations and served at `/api/v1/openapi.json`; `/docs` renders it
//! with Swagger UI, whose assets are built into the binary.
//!
//! The errors every operation shares (a wrong token, a bad parameter, an
//! unreadable body, an unavailable database) are added here from what each
//! operation takes, so that each handler lists only its own outcomes.

use actix_web::http::Method;
use actix_web::{HttpResponse, web};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AdditionalProperties, Object, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, ContentBuilder, Ref, RefOr, Schema};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::problem::{PROBLEM_JSON, Problem};
use super::{authors, feeds, health, people, posts, tags, views, webhooks};

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Blog backend",
        description = "Posts, get-or-create tags and exact tag counts. Requests without a \
            token see only visible posts (published, `published_at` in the past, not \
            deleted) and counts of those. Staff authenticate with a session token \
            (`POST /api/v1/session`), a personal key, or the operator's admin token (the \
            owner); editors and administrators see drafts, scheduled and trashed posts and \
            make every write. Errors are `application/problem+json` \
            (RFC 9457).",
        license(name = "MIT", identifier = "MIT")
    ),
    paths(
        health::healthz,
        health::readyz,
        document,
        posts::read::list_posts,
        posts::write::create_post,
        posts::bulk::bulk,
        posts::read::get_post_by_slug,
        posts::read::get_post,
        posts::related::related_posts,
        posts::write::update_post,
        posts::write::delete_post,
        posts::write::restore_post,
        posts::tags::add_tags,
        posts::tags::remove_tag,
        tags::read::list_tags,
        tags::admin::create_tag,
        tags::read::get_tag,
        tags::admin::update_tag,
        tags::admin::delete_tag,
        tags::read::tag_posts,
        tags::admin::merge_tag,
        tags::aliases::add_alias,
        tags::aliases::remove_alias,
        authors::list_authors,
        authors::get_author,
        authors::author_posts,
        people::users::list_users,
        people::users::create_user,
        people::users::get_user,
        people::users::update_user,
        people::users::delete_user,
        people::users::me,
        people::credentials::sign_in,
        people::credentials::sign_out,
        people::credentials::list_keys,
        people::credentials::create_key,
        people::credentials::delete_key,
        webhooks::list_webhooks,
        webhooks::create_webhook,
        webhooks::delete_webhook,
        webhooks::deliveries,
        feeds::posts_feed,
        feeds::tag_feed,
        feeds::author_feed,
    ),
    components(schemas(Problem, views::Post, views::Tag, views::TagRef, views::User)),
    servers((url = "/", description = "This server")),
    modifiers(&SharedResponses),
    tags(
        (name = "posts", description = "Posts and the tags on them"),
        (name = "authors", description = "Who writes the visible posts, publicly"),
        (name = "tags", description = "Tags, their counts and their public pages"),
        (name = "feeds", description = "Atom feeds of the visible posts, for feed readers"),
        (name = "people", description = "Staff users, their roles, sessions and personal keys"),
        (name = "webhooks", description = "Events sent to other services: what is sent where, and each delivery"),
        (name = "operations", description = "Health, readiness and this document"),
    )
)]
pub struct ApiDoc;

/// The description itself.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    security(()),
    responses((status = 200, description = "This OpenAPI 3.1 document", body = Object)),
)]
pub async fn document(doc: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(doc.get_ref())
}

/// The interactive docs at `/docs/`, reading the served document.
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").config(Config::from(DOCUMENT_PATH))
}

/// `/docs` itself: the UI's relative asset links need the trailing slash.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}

/// A shared error response: its name in `components/responses`, its status
/// and the operations it can answer.
struct SharedError {
    name: &'static str,
    status: &'static str,
    description: &'static str,
    example: fn() -> serde_json::Value,
    answers: Answers,
}

/// Which operations a shared error can answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answers {
    /// Those with parameters or a body.
    WithInput,
    /// Those under `/api/v1` that read the token.
    Authenticated,
    /// Those that need a token: a role may not be enough.
    StaffOnly,
    /// Those with a request body.
    WithBody,
    /// Those that use the database.
    UsingDatabase,
}

/// What an operation takes, which decides its shared errors.
struct Traits {
    input: bool,
    authenticated: bool,
    staff_only: bool,
    body: bool,
    database: bool,
}

impl Traits {
    fn of(path: &str, operation: &Operation) -> Self {
        let api = path.starts_with("/api/v1/") && path != DOCUMENT_PATH;
        let body = operation.request_body.is_some();
        Traits {
            input: body || operation.parameters.as_ref().is_some_and(|p| !p.is_empty()),
            authenticated: api,
            staff_only: operation.security.as_ref().is_some_and(|requirements| {
                !requirements
                    .iter()
                    .any(|requirement| *requirement == SecurityRequirement::default())
            }),
            body,
            database: api || path == "/readyz",
        }
    }

    fn answered_by(&self, error: &SharedError) -> bool {
        match error.answers {
            Answers::WithInput => self.input,
            Answers::Authenticated => self.authenticated,
            Answers::StaffOnly => self.staff_only,
            Answers::WithBody => self.body,
            Answers::UsingDatabase => self.database,
        }
    }
}

fn problem_example(status: u16, title: &str, detail: &str) -> serde_json::Value {
    serde_json::json!({"type": "about:blank", "title": title, "status": status, "detail": detail})
}

const BAD_REQUEST: SharedError = SharedError {
    name: "BadRequest",
    status: "400",
    description: "Malformed JSON, a JSON value of the wrong type, or a bad query, path or \
        header parameter; `detail` says which",
    example: || {
        problem_example(
            400,
            "Bad Request",
            "bad query parameter `per_page`: must be from 1 to 100",
        )
    },
    answers: Answers::WithInput,
};
const UNAUTHORIZED: SharedError = SharedError {
    name: "Unauthorized",
    status: "401",
    description: "The bearer token is missing (on an admin operation) or wrong (anywhere)",
    example: || problem_example(401, "Unauthorized", "missing or wrong bearer token"),
    answers: Answers::Authenticated,
};
const FORBIDDEN: SharedError = SharedError {
    name: "Forbidden",
    status: "403",
    description: "The caller's role does not allow this; nothing was changed",
    example: || problem_example(403, "Forbidden", "you may change only your own posts"),
    answers: Answers::StaffOnly,
};
const REQUEST_TIMEOUT: SharedError = SharedError {
    name: "RequestTimeout",
    status: "408",
    description: "The body did not arrive in time (15 s unless configured)",
    example: || {
        problem_example(
            408,
            "Request Timeout",
            "the request body did not arrive within 15 s",
        )
    },
    answers: Answers::WithBody,
};
const PAYLOAD_TOO_LARGE: SharedError = SharedError {
    name: "PayloadTooLarge",
    status: "413",
    description: "The body is over the limit (1 MiB unless configured)",
    example: || {
        problem_example(
            413,
            "Payload Too Large",
            "the request body is larger than the limit",
        )
    },
    answers: Answers::WithBody,
};
const UNSUPPORTED_MEDIA_TYPE: SharedError = SharedError {
    name: "UnsupportedMediaType",
    status: "415",
    description: "The body is not `application/json` in UTF-8",
    example: || {
        problem_example(
            415,
            "Unsupported Media Type",
            "the request body must be application/json",
        )
    },
    answers: Answers::WithBody,
};
const UNPROCESSABLE: SharedError = SharedError {
    name: "UnprocessableEntity",
    status: "422",
    description: "Well-formed JSON that breaks a rule, or an unknown member; `errors` has \
        the messages per field",
    example: || {
        serde_json::json!({
            "type": "about:blank", "title": "Unprocessable Entity", "status": 422,
            "detail": "request body failed validation",
            "errors": {"title": ["must be 1 to 200 characters"], "tags[3]": ["must be 1 to 50 characters"]}
        })
    },
    answers: Answers::WithBody,
};
const INTERNAL: SharedError = SharedError {
    name: "InternalServerError",
    status: "500",
    description: "A fault of the service; the details are in its log, never in the body",
    example: || {
        problem_example(
            500,
            "Internal Server Error",
            "an unexpected error occurred; it has been logged",
        )
    },
    answers: Answers::UsingDatabase,
};
const UNAVAILABLE: SharedError = SharedError {
    name: "ServiceUnavailable",
    status: "503",
    description: "The database cannot be reached in time; retry after `Retry-After` seconds",
    example: || {
        problem_example(
            503,
            "Service Unavailable",
            "the database is unavailable; try again shortly",
        )
    },
    answers: Answers::UsingDatabase,
};

const SHARED_ERRORS: [SharedError; 9] = [
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    REQUEST_TIMEOUT,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    UNPROCESSABLE,
    INTERNAL,
    UNAVAILABLE,
];

struct SharedResponses;

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for error in &SHARED_ERRORS {
            components
                .responses
                .insert(error.name.to_owned(), RefOr::T(problem_response(error)));
        }
        components.security_schemes.insert(
            "bearer".to_owned(),
            RefOr::T(SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A session token (`POST /api/v1/session`), a personal key \
                         (`POST /api/v1/keys`), or the operator's `ADMIN_TOKEN`, which acts as \
                         the owner",
                    ))
                    .build(),
            )),
        );
        let mut body_schemas = Vec::new();
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in operations_mut(item) {
                super::who_may::describe(&method, path, operation);
                body_schemas.extend(request_schema_name(operation));
                // An operation's own errors (404, 409, 412) are problems too.
                for (status, response) in operation.responses.responses.iter_mut() {
                    if let RefOr::T(response) = response
                        && (status.starts_with('4') || status.starts_with('5'))
                        && response.content.is_empty()
                    {
                        response
                            .content
                            .insert(PROBLEM_JSON.to_owned(), RefOr::T(problem_content(None)));
                    }
                }
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let RefOr::T(parameter) = parameter {
                        describe_on_the_parameter(parameter);
                    }
                }
                if method == Method::GET {
                    describe_caching(operation);
                }
                let traits = Traits::of(path, operation);
                for error in SHARED_ERRORS.iter().filter(|e| traits.answered_by(e)) {
                    operation
                        .responses
                        .responses
                        .entry(error.status.to_owned())
                        .or_insert_with(|| {
                            RefOr::Ref(Ref::from_response_name(error.name.to_owned()))
                        });
                }
            }
        }
        // Every body refuses members it does not know (422), so that a typo
        // is never silently ignored.
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in body_schemas {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
}

/// Every GET answer has a strong ETag (`304` to `If-None-Match` naming it)
/// and says how long caches may keep it.
fn describe_caching(operation: &mut Operation) {
    let header = |description: &str| {
        HeaderBuilder::new()
            .schema(Some(Object::with_type(Type::String)))
            .description(Some(description))
            .build()
    };
    if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
        let headers = [
            (
                "ETag",
                "A strong entity tag: send it as `If-None-Match` to get `304` while unchanged",
            ),
            (
                "Cache-Control",
                "`public, max-age, s-maxage, stale-while-revalidate` for the public (cut \
                 before the next scheduled post comes due); `private, no-store` when signed in",
            ),
            (
                "Surrogate-Key",
                "For the public: what the answer shows, by the keys a CDN purges by",
            ),
        ];
        for (name, description) in headers {
            ok.headers
                .entry(name.to_owned())
                .or_insert_with(|| RefOr::T(header(description)));
        }
    }
    operation
        .responses
        .responses
        .entry("304".to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description("Unchanged since the ETag given in `If-None-Match`")
                    .build(),
            )
        });
}

/// A parameter whose schema is built from the limits (`schema_with`, see
/// `schemas`) has its description and example in that schema; they move
/// onto the parameter, where documentation tools look for them.
fn describe_on_the_parameter(parameter: &mut Parameter) {
    let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else {
        return;
    };
    if parameter.description.is_some() || schema.description.is_none() {
        return;
    }
    let description = schema.description.take();
    let example = (!schema.examples.is_empty()).then(|| schema.examples.remove(0));
    let mut lifted = ParameterBuilder::from(parameter.clone()).description(description);
    if example.is_some() {
        lifted = lifted.example(example);
    }
    *parameter = lifted.build();
}

/// The component name of an operation's JSON body schema.
fn request_schema_name(operation: &Operation) -> Option<String> {
    let RefOr::T(body) = operation.request_body.as_ref()? else {
        return None;
    };
    let RefOr::T(content) = body.content.get("application/json")? else {
        return None;
    };
    let RefOr::Ref(reference) = content.schema.as_ref()? else {
        return None;
    };
    reference
        .ref_location
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

fn problem_response(error: &SharedError) -> Response {
    ResponseBuilder::new()
        .description(error.description)
        .content(PROBLEM_JSON, problem_content(Some((error.example)())))
        .build()
}

fn problem_content(example: Option<serde_json::Value>) -> Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(Problem::name())))
        .example(example)
        .build()
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation?)))
}
