//! How a read's answer travels through caches: its strong ETag (and `304`
//! when the client has it), its `Cache-Control`, `Vary` and, for the
//! public, the `Surrogate-Key` a CDN purges it by.
//!
//! A read names its ETag from what it proved current — a post's version,
//! the posts of a page and their versions — so that a `304` costs the
//! shared check and no rendering. An answer without one gets its body's
//! digest from [`caching_defaults`]; so do the GETs that never pass
//! through here. Everything not marked public here is `no-store`.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError, web};
use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::preconditions::client_has;
use super::problem::ApiError;
use crate::cache::KnownEtag;
use crate::db::change_counters::CommittedChanges;
use crate::domain::freshness::Lifetimes;
use crate::domain::page::Page;
use crate::domain::time::now;
use crate::models::PostWithTags;
use crate::services::purge_keys::PurgeKeys;

/// A strong ETag from what an answer is made of: the same parts give the
/// same tag on every instance, any other parts another one.
pub struct Fingerprint(Sha256);

impl Fingerprint {
    /// `kind` keeps answers of different routes apart.
    pub fn new(kind: &str, authenticated: bool) -> Self {
        let mut hasher = Sha256::new();
        // Another release may shape the same rows into another body.
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update([0]);
        hasher.update(kind.as_bytes());
        hasher.update([0, u8::from(authenticated)]);
        Fingerprint(hasher)
    }

    /// Adds a value as JSON: the small parts of an answer (a tag, an
    /// author, a page's numbers).
    pub fn with(mut self, value: &impl Serialize) -> Self {
        serde_json::to_writer(&mut self.0, value).expect("writing to a hasher cannot fail");
        self.0.update([0]);
        self
    }

    /// Adds posts by id and version: a version changes with everything a
    /// post shows.
    pub fn with_posts<'a>(mut self, posts: impl IntoIterator<Item = &'a PostWithTags>) -> Self {
        for shown in posts {
            self.0.update(shown.post.id.to_le_bytes());
            self.0.update(shown.post.version.to_le_bytes());
        }
        self.0.update([0]);
        self
    }

    /// Adds a page of posts: which page of how many matches, and its posts.
    pub fn with_page(mut self, page: &Page<PostWithTags>) -> Self {
        self.0.update(page.request.page.to_le_bytes());
        self.0.update(page.request.per_page.to_le_bytes());
        self.0.update(page.total.to_le_bytes());
        self.with_posts(&page.items)
    }

    /// Of a whole body.
    fn of_bytes(bytes: &[u8]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(bytes);
        Fingerprint(hasher).etag()
    }

    pub fn etag(self) -> String {
        let digest = self.0.finalize();
        format!("\"{}\"", hex::encode(&digest[..16]))
    }
}

/// The answer to a GET of a route the public may read.
pub struct Delivery<'a> {
    req: &'a HttpRequest,
    authenticated: bool,
    next_change: Option<NaiveDateTime>,
    keys: PurgeKeys,
}

impl<'a> Delivery<'a> {
    /// `next_change`: when a scheduled post could change the answer.
    pub fn new(
        req: &'a HttpRequest,
        authenticated: bool,
        next_change: Option<NaiveDateTime>,
    ) -> Self {
        Delivery {
            req,
            authenticated,
            next_change,
            keys: PurgeKeys::new(),
        }
    }

    /// The surrogate keys of what the answer shows (sent to the public only).
    pub fn keys(&mut self) -> &mut PurgeKeys {
        &mut self.keys
    }

    /// With `etag`: `304` when the client has it, else what `render` makes
    /// of a `200` with the headers set.
    pub fn tagged(
        self,
        etag: String,
        render: impl FnOnce(HttpResponseBuilder) -> HttpResponse,
    ) -> HttpResponse {
        let rendered = self.try_tagged(etag, |ok| Ok::<_, std::convert::Infallible>(render(ok)));
        rendered.unwrap_or_else(|never| match never {})
    }

    /// [`Delivery::tagged`], for an answer whose rendering may fail.
    pub fn try_tagged<E>(
        self,
        etag: String,
        render: impl FnOnce(HttpResponseBuilder) -> Result<HttpResponse, E>,
    ) -> Result<HttpResponse, E> {
        // What a later revalidation of the public's answer may be told
        // from, when this answer is made of the changes read on arrival.
        let known =
            (!self.authenticated && checked_on_arrival(self.req).is_some()).then(|| KnownEtag {
                etag: etag.clone(),
                until: self.next_change,
            });
        let mut response = if client_has(self.req, &etag) {
            self.builder(StatusCode::NOT_MODIFIED, Some(etag)).finish()
        } else {
            render(self.builder(StatusCode::OK, Some(etag)))?
        };
        if let Some(known) = known {
            response.extensions_mut().insert(known);
        }
        Ok(response)
    }

    /// Tagged by its body's digest, which [`caching_defaults`] takes.
    pub fn untagged(
        self,
        render: impl FnOnce(HttpResponseBuilder) -> HttpResponse,
    ) -> HttpResponse {
        render(self.builder(StatusCode::OK, None))
    }

    fn builder(&self, status: StatusCode, etag: Option<String>) -> HttpResponseBuilder {
        let mut builder = HttpResponse::build(status);
        if let Some(etag) = etag {
            builder.insert_header((header::ETAG, etag));
        }
        builder.append_header((header::VARY, "Authorization"));
        if self.authenticated {
            builder.insert_header((header::CACHE_CONTROL, PRIVATE));
            return builder;
        }
        let lifetimes = self
            .req
            .app_data::<web::Data<Lifetimes>>()
            .map_or_else(Lifetimes::default, |lifetimes| *lifetimes.get_ref());
        builder.insert_header((
            header::CACHE_CONTROL,
            lifetimes.public_cache_control(now(), self.next_change),
        ));
        // A 304 leaves a cache's stored keys as they are: not written again.
        if status == StatusCode::OK && !self.keys.is_empty() {
            builder.insert_header(("Surrogate-Key", self.keys.header_value()));
        }
        builder
    }
}

/// The `304` to a revalidation of a public answer known to be unchanged:
/// what [`Delivery::tagged`] answers when the client has its ETag.
pub fn not_modified(req: &HttpRequest, known: &KnownEtag) -> HttpResponse {
    Delivery::new(req, false, known.until)
        .builder(StatusCode::NOT_MODIFIED, Some(known.etag.clone()))
        .finish()
}

/// The committed changes read when a request arrived, which its answer is
/// made of (see `revalidate.rs`).
#[derive(Clone, Copy)]
pub struct CheckedOnArrival(pub CommittedChanges);

/// The committed changes read for this request on its arrival, if they
/// were: a read for it takes them rather than reading them again.
pub fn checked_on_arrival(req: &HttpRequest) -> Option<CommittedChanges> {
    req.extensions()
        .get::<CheckedOnArrival>()
        .map(|checked| checked.0)
}

/// What no cache may keep: a signed-in caller's answer.
const PRIVATE: &str = "private, no-store";

/// What no cache may keep: errors, and whatever is not marked public.
const NOT_STORED: &str = "no-store";

/// Around every request: a `GET` answered `200` without an ETag gets its
/// body's digest as one (and `304` when the client has it); an answer that
/// says nothing of caching may not be kept.
pub async fn caching_defaults(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_get = req.method() == Method::GET;
    let signed_in = req.headers().contains_key(header::AUTHORIZATION);
    let response = next.call(req).await?.map_into_boxed_body();
    let mut response = with_body_etag(response, is_get).await;
    let status = response.status();
    let failed = status.is_client_error() || status.is_server_error();
    if failed || !response.headers().contains_key(header::CACHE_CONTROL) {
        let policy = if signed_in && !failed {
            PRIVATE
        } else {
            NOT_STORED
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    Ok(response)
}

/// Gives a `200` answer to a `GET` that has no ETag its body's digest.
async fn with_body_etag(
    response: ServiceResponse<BoxBody>,
    is_get: bool,
) -> ServiceResponse<BoxBody> {
    if !is_get
        || response.status() != StatusCode::OK
        || response.headers().contains_key(header::ETAG)
    {
        return response;
    }
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(error) => {
            let failed = ApiError::Internal(format!("cannot read an answer's body: {error}"));
            return ServiceResponse::new(request, failed.error_response());
        }
    };
    let etag = Fingerprint::of_bytes(&bytes);
    let mut response = if client_has(&request, &etag) {
        let mut not_modified = HttpResponse::NotModified().finish();
        copy_headers(head.headers(), not_modified.headers_mut());
        not_modified
    } else {
        head.set_body(BoxBody::new(bytes))
    };
    response.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header value"),
    );
    ServiceResponse::new(request, response)
}

/// The headers a `304` repeats from the `200` it stands for: all but those
/// that describe a body.
fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            to.append(name.clone(), value.clone());
        }
    }
}
