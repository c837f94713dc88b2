//! Public delivery: conditional GET on every read, how long caches may
//! keep each answer (cut by scheduled posts), the surrogate keys a CDN
//! purges by, and CORS for the allowed origins alone.

use std::time::Duration;

use blog_backend::config::Config;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::json;

use crate::helpers::{Reply, TestApp, seconds_from_now, send};

crate::on_both_backends!(configured by with_an_admin_origin;
    every_public_read_revalidates_and_says_how_long_it_may_be_kept,
    etags_change_exactly_when_the_body_does,
    a_scheduled_post_coming_due_cuts_lifetimes_and_changes_etags,
    errors_and_signed_in_answers_are_never_stored,
    surrogate_keys_name_what_an_answer_shows,
    cors_answers_the_allowed_origins_alone,
);

const ADMIN_ORIGIN: &str = "https://admin.example.com";
const PUBLIC_CACHING: &str = "public, max-age=0, s-maxage=60, stale-while-revalidate=30";

fn with_an_admin_origin(config: &mut Config) {
    config.cors_allowed_origins = vec![ADMIN_ORIGIN.into()];
}

/// A GET without credentials, the body kept as text (feeds are XML).
async fn fetch(app: &TestApp, path: &str, if_none_match: Option<&str>) -> (u16, HeaderMap, String) {
    let mut request = app.request(Method::GET, path);
    if let Some(etag) = if_none_match {
        request = request.header("If-None-Match", etag);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// The public's revalidations answered this way (`known` or `route`), as
/// the metrics count them.
async fn revalidations(app: &TestApp, answered: &str) -> usize {
    let metrics = app.client.get(format!("{}/metrics", app.base));
    let text = metrics.send().await.unwrap().text().await.unwrap();
    let series = format!("blog_revalidations_total{{answered=\"{answered}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&series))
        .map_or(0, |count| count.parse().expect("a count"))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
}

/// Every route the public reads.
fn public_reads(post: i64) -> Vec<String> {
    [
        "/posts",
        "/posts?tag=rust&per_page=1",
        "/posts/slug/first",
        "/tags",
        "/tags/rust",
        "/tags/rust/posts",
        "/authors",
        "/authors/owner",
        "/authors/owner/posts",
        "/feeds/posts.atom",
        "/feeds/tags/rust.atom",
        "/feeds/authors/owner.atom",
    ]
    .into_iter()
    .map(String::from)
    .chain([format!("/posts/{post}"), format!("/posts/{post}/related")])
    .collect()
}

async fn every_public_read_revalidates_and_says_how_long_it_may_be_kept(app: TestApp) {
    let post = app.publish("First", &["Rust", "Web"]).await;
    app.publish("Second", &["Rust", "Web"]).await;
    for path in public_reads(post["id"].as_i64().unwrap()) {
        let (status, headers, body) = fetch(&app, &path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let etag = header(&headers, "etag").to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{path}: a strong ETag, {etag}"
        );
        assert_eq!(header(&headers, "cache-control"), PUBLIC_CACHING, "{path}");
        assert!(header(&headers, "vary").contains("Authorization"), "{path}");
        assert!(!header(&headers, "surrogate-key").is_empty(), "{path}");

        let (status, again, body) = fetch(&app, &path, Some(&etag)).await;
        assert_eq!(status, 304, "{path}");
        assert!(body.is_empty(), "{path}: a 304 has no body");
        assert_eq!(header(&again, "etag"), etag, "{path}");
        assert_eq!(header(&again, "cache-control"), PUBLIC_CACHING, "{path}");
        assert_eq!(header(&again, "vary"), header(&headers, "vary"), "{path}");

        // Another ETag, or a weak one of the same, in a list: told from the
        // ETag the first revalidation was answered with, the same headers.
        let listed = format!("\"other\", W/{etag}");
        let (status, known, _) = fetch(&app, &path, Some(&listed)).await;
        assert_eq!(status, 304, "{path}");
        for name in ["etag", "cache-control", "vary"] {
            assert_eq!(header(&known, name), header(&again, name), "{path}: {name}");
        }
        assert_eq!(fetch(&app, &path, Some("\"other\"")).await.0, 200, "{path}");

        if path.starts_with("/feeds/") {
            // Feeds are the public's, whoever asks.
            let signed_in = app.admin(Method::GET, &path).send().await.unwrap();
            assert_eq!(header(signed_in.headers(), "cache-control"), PUBLIC_CACHING);
            assert_eq!(header(signed_in.headers(), "etag"), etag);
            continue;
        }
        let signed_in = send(app.admin(Method::GET, &path)).await;
        assert_eq!(signed_in.status, 200, "{path}");
        assert_eq!(
            signed_in.header("cache-control"),
            Some("private, no-store"),
            "{path}"
        );
        assert!(signed_in.header("vary").unwrap().contains("Authorization"));
        assert_eq!(signed_in.header("surrogate-key"), None, "{path}");
        let staff_etag = signed_in.header("etag").expect("an ETag for staff too");
        assert_ne!(staff_etag, etag, "{path}: staff see another representation");
        // The public's copy is not current for staff, though the public's
        // revalidations of it were just answered 304.
        let with_public_copy = app.admin(Method::GET, &path).header("If-None-Match", &etag);
        assert_eq!(send(with_public_copy).await.status, 200, "{path}");
        let revalidated = app
            .admin(Method::GET, &path)
            .header("If-None-Match", staff_etag);
        assert_eq!(send(revalidated).await.status, 304, "{path}");
    }
    let told_from_known = revalidations(&app, "known").await;
    assert!(
        told_from_known >= public_reads(0).len(),
        "each read's second revalidation told from what the first was answered: {told_from_known}"
    );
    // Another page of the same list is another answer.
    let (_, posts, _) = fetch(&app, "/posts", None).await;
    let posts_etag = header(&posts, "etag");
    assert_eq!(fetch(&app, "/posts", Some(posts_etag)).await.0, 304);
    assert_eq!(
        fetch(&app, "/posts?per_page=1", Some(posts_etag)).await.0,
        200
    );

    // GETs that only staff make carry an ETag as well.
    for path in ["/users", "/me", "/keys"] {
        let reply = app.admin_get(path).await.expect(200);
        let etag = reply.header("etag").expect("an ETag").to_owned();
        assert_eq!(reply.header("cache-control"), Some("private, no-store"));
        let revalidated = app.admin(Method::GET, path).header("If-None-Match", &etag);
        assert_eq!(send(revalidated).await.status, 304, "{path}");
    }
}

async fn etags_change_exactly_when_the_body_does(app: TestApp) {
    let first = app.publish("First", &["Rust"]).await;
    app.publish("Second", &["Go"]).await;
    let paths = [
        "/tags/rust/posts",
        "/posts?tag=rust",
        "/tags",
        "/feeds/tags/rust.atom",
    ];
    let etags = |app: &TestApp| {
        let app = app.clone();
        async move {
            let mut etags = Vec::new();
            for path in paths {
                let (status, headers, _) = fetch(&app, path, None).await;
                assert_eq!(status, 200, "{path}");
                etags.push(header(&headers, "etag").to_owned());
            }
            etags
        }
    };
    let before = etags(&app).await;
    assert_eq!(etags(&app).await, before, "read again, nothing changed");

    // A draft, and an edit of a post no list here shows: the same bodies.
    app.create_post(json!({"title": "Draft", "tags": ["Rust"]}))
        .await;
    let second = app.get("/posts/slug/second").await.expect(200).body;
    app.admin_patch(
        &format!("/posts/{}", second["id"]),
        json!({"title": "Second, again"}),
    )
    .await
    .expect(200);
    assert_eq!(etags(&app).await, before, "writes no answer shows");

    // An edit of a post they show: every ETag but the tag list's changes.
    app.admin_patch(
        &format!("/posts/{}", first["id"]),
        json!({"body": "Edited"}),
    )
    .await
    .expect(200);
    let edited = etags(&app).await;
    for (index, path) in paths.iter().enumerate() {
        if *path == "/tags" {
            assert_eq!(edited[index], before[index], "{path}: its body is the same");
        } else {
            assert_ne!(edited[index], before[index], "{path}");
            assert_eq!(
                fetch(&app, path, Some(&before[index])).await.0,
                200,
                "{path}"
            );
        }
    }
    // Renaming the tag changes them all.
    let tag = app
        .admin_patch("/tags/rust", json!({"name": "Rust lang"}))
        .await
        .expect(200);
    let slug = tag.body["slug"].as_str().unwrap();
    let renamed = etags_of(
        &app,
        &[
            "/tags",
            &format!("/posts?tag={slug}"),
            &format!("/tags/{slug}/posts"),
        ],
    )
    .await;
    assert_ne!(renamed[0], edited[2]);
    assert_ne!(renamed[1], edited[1]);
    assert_ne!(renamed[2], edited[0]);
}

async fn etags_of(app: &TestApp, paths: &[&str]) -> Vec<String> {
    let mut etags = Vec::new();
    for path in paths {
        let (status, headers, _) = fetch(app, path, None).await;
        assert_eq!(status, 200, "{path}");
        etags.push(header(&headers, "etag").to_owned());
    }
    etags
}

/// `name=value` of a `Cache-Control` header.
fn directive(cache_control: &str, name: &str) -> i64 {
    cache_control
        .split(", ")
        .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name} in {cache_control}"))
        .parse()
        .unwrap()
}

async fn a_scheduled_post_coming_due_cuts_lifetimes_and_changes_etags(app: TestApp) {
    app.publish("Now", &["Rust"]).await;
    let paths = [
        "/tags/rust/posts",
        "/posts",
        "/tags",
        "/feeds/posts.atom",
        "/authors/owner",
    ];
    // Read once before the scheduled post exists: remembered by the server.
    let early = etags_of(&app, &paths).await;
    app.create_post(json!({
        "title": "Soon", "status": "published", "published_at": seconds_from_now(3), "tags": ["Rust"]
    }))
    .await;
    let before = etags_of(&app, &paths).await;
    assert_eq!(before, early, "a scheduled post shows nowhere yet");
    for (path, etag) in paths.iter().zip(&before) {
        // The second revalidation is told from the ETag the first one was.
        for _ in 0..2 {
            assert_eq!(fetch(&app, path, Some(etag)).await.0, 304, "{path}");
        }
    }
    for path in paths {
        let (_, headers, _) = fetch(&app, path, None).await;
        let cache_control = header(&headers, "cache-control");
        let shared = directive(cache_control, "s-maxage");
        let stale = directive(cache_control, "stale-while-revalidate");
        assert!(shared + stale <= 3, "{path}: {cache_control}");
        assert!(
            directive(cache_control, "max-age") <= 3,
            "{path}: {cache_control}"
        );
    }
    // A single visible post is not changed by another coming due.
    let (_, headers, _) = fetch(&app, "/posts/slug/now", None).await;
    assert_eq!(header(&headers, "cache-control"), PUBLIC_CACHING);

    actix_web::rt::time::sleep(Duration::from_millis(3_500)).await;
    for (path, etag) in paths.iter().zip(&before) {
        let (status, headers, body) = fetch(&app, path, Some(etag)).await;
        assert_eq!(status, 200, "{path}: the post came due, the answer changed");
        assert_ne!(header(&headers, "etag"), etag, "{path}");
        assert_eq!(header(&headers, "cache-control"), PUBLIC_CACHING, "{path}");
        if *path != "/tags" && *path != "/authors/owner" {
            assert!(body.contains("Soon"), "{path}: {body}");
        }
    }
    let page = app.get("/tags/rust/posts").await.expect(200);
    assert_eq!(page.header("x-total-count"), Some("2"));
    assert_eq!(page.body["tag"]["post_count"], 2);
}

async fn errors_and_signed_in_answers_are_never_stored(app: TestApp) {
    let not_found = app.get("/posts/999").await.expect_problem(404);
    assert_eq!(not_found.header("cache-control"), Some("no-store"));
    assert_eq!(not_found.header("surrogate-key"), None);
    let bad_query = app.get("/posts?per_page=0").await.expect_problem(400);
    assert_eq!(bad_query.header("cache-control"), Some("no-store"));
    let bad_token = send(app.request(Method::GET, "/posts").bearer_auth("nope")).await;
    assert_eq!(
        bad_token.expect_problem(401).header("cache-control"),
        Some("no-store")
    );
    let refused = app
        .admin_post("/posts", json!({"title": ""}))
        .await
        .expect_problem(422);
    assert_eq!(refused.header("cache-control"), Some("no-store"));
    assert_eq!(
        app.get("/feeds/tags/nothing.atom")
            .await
            .expect_problem(404)
            .header("cache-control"),
        Some("no-store")
    );

    // What a sign-in answers holds a token: no cache may keep it.
    app.create_user("Ada", "ada@example.com", "author", "correct horse battery")
        .await;
    let body = json!({"email": "ada@example.com", "password": "correct horse battery"});
    let session = send(app.request(Method::POST, "/session").json(&body))
        .await
        .expect(201);
    assert_eq!(session.header("cache-control"), Some("no-store"));
    let created = send(
        app.admin(Method::POST, "/posts")
            .json(&json!({"title": "T"})),
    )
    .await;
    assert_eq!(
        created.expect(201).header("cache-control"),
        Some("private, no-store")
    );
}

async fn surrogate_keys_name_what_an_answer_shows(app: TestApp) {
    let post = app.publish("Tagged", &["Rust", "#Later"]).await;
    let id = post["id"].as_i64().unwrap();
    let tag_id = |name: &str| {
        let tags = post["tags"].as_array().unwrap();
        tags.iter().find(|tag| tag["name"] == name).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let rust = tag_id("Rust");
    let author = post["author"]["id"].as_i64().unwrap();
    let keys = |path: &str| {
        let app = app.clone();
        let path = path.to_owned();
        async move {
            let (_, headers, _) = fetch(&app, &path, None).await;
            header(&headers, "surrogate-key").to_owned()
        }
    };
    // An internal tag is no part of what the public is shown.
    let shown = format!("post-{id} tag-{rust} author-{author}");
    assert_eq!(keys(&format!("/posts/{id}")).await, shown);
    assert_eq!(keys("/posts").await, format!("posts {shown}"));
    assert_eq!(keys("/tags").await, format!("tags tag-{rust}"));
    assert_eq!(keys("/tags/rust").await, format!("tag-{rust}"));
    let on_the_tag_page = format!("posts tag-{rust} post-{id} author-{author}");
    assert_eq!(keys("/tags/rust/posts").await, on_the_tag_page);
    assert_eq!(keys("/authors").await, format!("authors author-{author}"));
    let on_the_author_page = format!("posts author-{author} post-{id} tag-{rust}");
    assert_eq!(keys("/authors/owner/posts").await, on_the_author_page);
    assert_eq!(
        keys("/feeds/posts.atom").await,
        format!("posts feeds {shown}")
    );
    let in_the_tag_feed = format!("tag-{rust} feeds post-{id} author-{author}");
    assert_eq!(keys("/feeds/tags/rust.atom").await, in_the_tag_feed);
}

fn cors_headers(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

async fn cors_answers_the_allowed_origins_alone(app: TestApp) {
    let post = app.publish("Shared", &["Rust"]).await;
    let path = format!("/posts/{}", post["id"]);
    let preflight = |origin: &str, method: &str| {
        app.request(Method::OPTIONS, &path)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type, if-match",
            )
    };
    let allowed = send(preflight(ADMIN_ORIGIN, "PATCH")).await.expect(200);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(ADMIN_ORIGIN)
    );
    let methods = allowed.header("access-control-allow-methods").unwrap();
    for method in ["GET", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    assert!(
        !methods.contains("POST"),
        "the route's methods only: {methods}"
    );
    let headers = allowed
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    for name in ["authorization", "content-type", "if-match", "if-none-match"] {
        assert!(headers.contains(name), "{headers}");
    }

    let read = send(
        app.request(Method::GET, &path)
            .header("Origin", ADMIN_ORIGIN),
    )
    .await;
    assert_eq!(
        read.header("access-control-allow-origin"),
        Some(ADMIN_ORIGIN)
    );
    let exposed = read
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    for name in ["etag", "location", "link", "x-total-count", "retry-after"] {
        assert!(exposed.contains(name), "{exposed}");
    }

    let other = send(preflight("https://elsewhere.example", "PATCH")).await;
    assert!(other.status.is_client_error());
    assert_eq!(cors_headers(&other), Vec::<String>::new());
    for origin in [Some("https://elsewhere.example"), None] {
        let mut request = app.request(Method::GET, &path);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        let reply = send(request).await.expect(200);
        assert_eq!(cors_headers(&reply), Vec::<String>::new(), "{origin:?}");
    }
}
