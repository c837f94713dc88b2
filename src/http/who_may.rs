//! Who may call each operation, as the OpenAPI document tells it: every
//! operation's description ends with the roles that may call it, and
//! `x-roles` lists them. A test holds the table against the route table.

use actix_web::http::Method;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::Operation;

/// Anyone: no credentials needed.
const ANYONE: &[&str] = &["anyone"];
/// Every signed-in role.
const STAFF: &[&str] = &["contributor", "author", "editor", "administrator"];
const EDITORS: &[&str] = &["editor", "administrator"];
const ADMINISTRATORS: &[&str] = &["administrator"];

/// `(method, path, roles, what a role may do there, if not everything)`.
type Entry = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

const NOT_VISIBLE: &str = "contributors also see their own drafts, authors their own posts, \
     editors and administrators every post";
const LISTS: &str = "a `status` other than `published` lists every post for editors and \
     administrators, a contributor's own drafts or an author's own posts";
const TOTALS: &str = "signed-in callers also see `total_count`";
const CREATE: &str = "contributors create drafts only, naming existing tags only";
const CHANGE: &str = "contributors their own posts while never published (and never publish, \
     schedule or unpublish), authors their own posts, editors and administrators every post; \
     a post the caller may not see is 404, one they see but may not change 403";
const BULK: &str = "on the posts the caller may change (others count as unmatched); \
     contributors do not publish or unpublish";
const TAG_NAMES: &str = "as the post's PATCH; contributors name existing tags only";
const FEEDS: &str = "everyone is sent what the public sees";
const AUTHORS_UP: &[&str] = &["author", "editor", "administrator"];

static TABLE: &[Entry] = &[
    ("GET", "/healthz", ANYONE, ""),
    ("GET", "/readyz", ANYONE, ""),
    ("GET", "/api/v1/openapi.json", ANYONE, ""),
    ("GET", "/feeds/posts.atom", ANYONE, FEEDS),
    ("GET", "/feeds/tags/{slug}.atom", ANYONE, FEEDS),
    ("GET", "/feeds/authors/{slug}.atom", ANYONE, FEEDS),
    ("GET", "/api/v1/posts", ANYONE, LISTS),
    ("POST", "/api/v1/posts", STAFF, CREATE),
    ("POST", "/api/v1/posts/bulk", STAFF, BULK),
    ("GET", "/api/v1/posts/slug/{slug}", ANYONE, NOT_VISIBLE),
    ("GET", "/api/v1/posts/{id}", ANYONE, NOT_VISIBLE),
    ("GET", "/api/v1/posts/{id}/related", ANYONE, NOT_VISIBLE),
    ("PATCH", "/api/v1/posts/{id}", STAFF, CHANGE),
    ("DELETE", "/api/v1/posts/{id}", STAFF, CHANGE),
    ("POST", "/api/v1/posts/{id}/restore", STAFF, CHANGE),
    ("POST", "/api/v1/posts/{id}/tags", STAFF, TAG_NAMES),
    (
        "DELETE",
        "/api/v1/posts/{id}/tags/{tag_slug}",
        STAFF,
        CHANGE,
    ),
    ("GET", "/api/v1/tags", ANYONE, TOTALS),
    ("POST", "/api/v1/tags", AUTHORS_UP, ""),
    ("GET", "/api/v1/tags/{slug}", ANYONE, TOTALS),
    ("PATCH", "/api/v1/tags/{slug}", EDITORS, ""),
    ("DELETE", "/api/v1/tags/{slug}", EDITORS, ""),
    ("GET", "/api/v1/tags/{slug}/posts", ANYONE, ""),
    ("POST", "/api/v1/tags/{slug}/merge", EDITORS, ""),
    ("POST", "/api/v1/tags/{slug}/aliases", EDITORS, ""),
    ("DELETE", "/api/v1/tags/{slug}/aliases/{alias}", EDITORS, ""),
    ("GET", "/api/v1/authors", ANYONE, ""),
    (
        "GET",
        "/api/v1/authors/{slug}",
        ANYONE,
        "signed-in callers also see users with no visible post",
    ),
    (
        "GET",
        "/api/v1/authors/{slug}/posts",
        ANYONE,
        "signed-in callers also see users with no visible post",
    ),
    ("GET", "/api/v1/users", EDITORS, ""),
    (
        "POST",
        "/api/v1/users",
        EDITORS,
        "editors create contributors and authors; administrators any role",
    ),
    (
        "GET",
        "/api/v1/users/{slug}",
        STAFF,
        "contributors and authors read only themselves",
    ),
    (
        "PATCH",
        "/api/v1/users/{slug}",
        STAFF,
        "each user changes their own name, email, bio and password; editors change \
             contributors and authors (role only between those two); administrators anyone",
    ),
    (
        "DELETE",
        "/api/v1/users/{slug}",
        ADMINISTRATORS,
        "never the owner",
    ),
    ("GET", "/api/v1/me", STAFF, ""),
    ("POST", "/api/v1/session", ANYONE, ""),
    ("DELETE", "/api/v1/session", STAFF, "with a session token"),
    (
        "GET",
        "/api/v1/keys",
        STAFF,
        "administrators list everyone's",
    ),
    ("POST", "/api/v1/keys", STAFF, ""),
    (
        "DELETE",
        "/api/v1/keys/{id}",
        STAFF,
        "one's own; administrators anyone's",
    ),
    ("GET", "/api/v1/webhooks", ADMINISTRATORS, ""),
    ("POST", "/api/v1/webhooks", ADMINISTRATORS, ""),
    ("DELETE", "/api/v1/webhooks/{id}", ADMINISTRATORS, ""),
    (
        "GET",
        "/api/v1/webhooks/{id}/deliveries",
        ADMINISTRATORS,
        "",
    ),
];

/// Ends the operation's description with who may call it, and sets
/// `x-roles`. Unknown operations are left alone (a test finds them).
pub fn describe(method: &Method, path: &str, operation: &mut Operation) {
    let Some((_, _, roles, note)) = TABLE
        .iter()
        .find(|(m, p, _, _)| *m == method.as_str() && *p == path)
    else {
        return;
    };
    let who = match roles {
        [only] if *only == "anyone" => "anyone, with no credentials".to_owned(),
        _ => roles.join(", "),
    };
    let note = match note.is_empty() {
        true => String::new(),
        false => format!(" ({note})"),
    };
    let said = format!("Who may call it: {who}{note}.");
    operation.description = Some(match operation.description.take() {
        Some(description) if !description.is_empty() => format!("{description}\n\n{said}"),
        _ => said,
    });
    let extensions = ExtensionsBuilder::new()
        .add("x-roles", roles.to_vec())
        .build();
    operation
        .extensions
        .get_or_insert_with(Default::default)
        .merge(extensions);
}

#[cfg(test)]
mod tests {
    use super::TABLE;
    use crate::http::endpoints;

    #[test]
    fn every_route_says_who_may_call_it() {
        for route in endpoints() {
            assert!(
                TABLE
                    .iter()
                    .any(|(method, path, _, _)| *method == route.method.as_str()
                        && *path == route.path),
                "{} {} is not in the table",
                route.method,
                route.path
            );
        }
        assert_eq!(TABLE.len(), endpoints().len());
    }
}
