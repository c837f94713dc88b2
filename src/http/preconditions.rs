//! Entity tags, and the preconditions that use them: `If-None-Match` on
//! reads (`304 Not Modified`), `If-Match` on writes (`412`).

use actix_web::HttpRequest;
use actix_web::http::header;

use super::problem::ApiError;
use crate::models::PostWithTags;
use crate::services::posts::ExpectedVersion;

/// What marks the public's ETags apart from staff's.
const PUBLIC_MARK: &str = "-public";

/// A post's ETag as a caller sees it: its version, bumped by every change
/// to what it shows. The public's is marked apart, as the public is not
/// shown internal tags; every post's is, so that which posts carry one
/// cannot be told from their ETags.
pub fn post_etag(post: &PostWithTags, authenticated: bool) -> String {
    let mark = if authenticated { "" } else { PUBLIC_MARK };
    format!("\"{}{mark}\"", post.post.version)
}

/// Whether the request's `If-None-Match` names `etag` (or is `*`): the
/// client already has what it would be sent. Weak tags match too, as
/// RFC 9110 has it for `GET`.
pub fn client_has(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == "*" || tag == etag)
        })
}

/// What the `If-Match` header asks for; entity tags that cannot be this
/// service's (weak ones, or not a version) match nothing.
pub fn expected_version(req: &HttpRequest) -> Result<Option<ExpectedVersion>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::BadRequest("the If-Match header is not readable text".into()))?;
    if value.trim() == "*" {
        return Ok(Some(ExpectedVersion::Any));
    }
    let versions = value
        .split(',')
        .filter_map(|tag| {
            let quoted = tag.trim().strip_prefix('"')?.strip_suffix('"')?;
            // A version read as the public reads it is the same version.
            let version = quoted.strip_suffix(PUBLIC_MARK).unwrap_or(quoted);
            version.parse().ok()
        })
        .collect();
    Ok(Some(ExpectedVersion::OneOf(versions)))
}
