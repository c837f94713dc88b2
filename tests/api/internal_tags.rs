//! Internal tags (`#name`): for staff everywhere, for the public nowhere
//! but as a filter.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, slugs, tag_names};

crate::on_both_backends!(
    a_hash_makes_a_tag_internal_with_a_hash_slug,
    the_public_finds_no_trace_of_an_internal_tag,
    a_merged_internal_tag_stays_hidden,
    the_public_may_filter_posts_by_an_internal_tag,
    every_authenticated_caller_sees_internal_tags,
);

async fn a_hash_makes_a_tag_internal_with_a_hash_slug(app: TestApp) {
    let post = app.publish("Both", &["#Later", "Later", "C#"]).await;
    let tags = post["tags"].as_array().unwrap();
    assert_eq!(tag_names(&post), ["#Later", "Later", "C#"]);
    assert_eq!(slugs(&post["tags"]), ["hash-later", "later", "c-sharp"]);
    let visibility: Vec<&str> = tags
        .iter()
        .map(|tag| tag["visibility"].as_str().unwrap())
        .collect();
    assert_eq!(visibility, ["internal", "public", "public"]);
    // Created on its own, too.
    let created = app
        .admin_post("/tags", json!({"name": "#Theme: Dark"}))
        .await
        .expect(201)
        .body;
    assert_eq!(created["slug"], "hash-theme-dark");
    assert_eq!(created["visibility"], "internal");
}

/// Every anonymous answer a blog's public pages read, with the posts that
/// carry an internal tag among them.
async fn anonymous_answers(app: &TestApp, post: &Value) -> Vec<(String, Value)> {
    let id = &post["id"];
    let slug = post["slug"].as_str().unwrap();
    let author = post["author"]["slug"].as_str().unwrap();
    let mut answers = Vec::new();
    for path in [
        "/tags".to_owned(),
        "/tags?sort=name".to_owned(),
        "/tags?sort=created".to_owned(),
        "/tags?q=%23".to_owned(),
        "/tags?q=%23lat".to_owned(),
        "/tags?min_count=1".to_owned(),
        "/tags/rust".to_owned(),
        "/tags/rust/posts".to_owned(),
        "/posts".to_owned(),
        "/posts?tag=rust".to_owned(),
        "/posts?tag_any=hash-later".to_owned(),
        format!("/posts/{id}"),
        format!("/posts/slug/{slug}"),
        "/authors".to_owned(),
        format!("/authors/{author}"),
        format!("/authors/{author}/posts"),
    ] {
        let reply = app.get(&path).await.expect(200);
        answers.push((path, reply.body));
    }
    answers
}

async fn the_public_finds_no_trace_of_an_internal_tag(app: TestApp) {
    let post = app.publish("Shown", &["Rust", "#Later"]).await;
    app.publish("Also shown", &["#Later"]).await;

    for (path, body) in anonymous_answers(&app, &post).await {
        let text = body.to_string();
        assert!(
            !text.contains("hash-later") && !text.contains("#Later") && !text.contains("internal"),
            "{path} shows the internal tag: {text}"
        );
    }
    for path in ["/tags/hash-later", "/tags/hash-later/posts"] {
        let reply = app.get(path).await.expect_problem(404);
        assert!(!reply.body.to_string().contains("#Later"));
    }

    // Counted as if it did not exist: the public list has one tag, whose
    // count is untouched.
    let public = app.get("/tags").await.body;
    assert_eq!(public["total"], 1);
    assert_eq!(slugs(&public["items"]), ["rust"]);
    assert_eq!(public["items"][0]["post_count"], 1);
    let staff = app.admin_get("/tags").await.body;
    assert_eq!(slugs(&staff["items"]), ["hash-later", "rust"]);

    // The post's ETag says which body was sent: the public's differs, for
    // every post, so that it tells nothing of which carry internal tags.
    let path = format!("/posts/{}", post["id"]);
    let public_etag = app.get(&path).await.header("etag").unwrap().to_owned();
    let staff_etag = app
        .admin_get(&path)
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    assert_ne!(public_etag, staff_etag);
    let revalidated = crate::helpers::send(
        app.request(Method::GET, &path)
            .header("if-none-match", &staff_etag),
    )
    .await;
    assert_eq!(
        revalidated.status, 200,
        "the staff ETag is not the public body's"
    );
    let revalidated = crate::helpers::send(
        app.request(Method::GET, &path)
            .header("if-none-match", &public_etag),
    )
    .await;
    assert_eq!(revalidated.status, 304);
    let plain = app.publish("Plain", &["Rust"]).await;
    let plain_etag = app.get(&format!("/posts/{}", plain["id"])).await;
    assert!(plain_etag.header("etag").unwrap().ends_with("-public\""));
}

/// Merged into a public tag, an internal tag leaves no trace either: its
/// name is an alias only staff see, its slug leads only staff anywhere.
async fn a_merged_internal_tag_stays_hidden(app: TestApp) {
    app.publish("Later", &["#Later"]).await;
    app.publish("Rust", &["Rust"]).await;
    app.admin_post("/tags", json!({"name": "#Draft ideas"}))
        .await
        .expect(201);
    app.admin_post("/tags/hash-draft-ideas/merge", json!({"into": "rust"}))
        .await
        .expect(200);
    app.admin_post("/tags/hash-later/merge", json!({"into": "rust"}))
        .await
        .expect(200);
    let public = app.get("/tags/rust").await.expect(200).body;
    assert_eq!(public["aliases"], json!([]));
    let staff = app.admin_get("/tags/rust").await.expect(200).body;
    assert_eq!(staff["aliases"], json!(["#Draft ideas", "#Later"]));
    for path in ["/tags/hash-later", "/tags/hash-later/posts"] {
        app.get(path).await.expect_problem(404);
        let moved = crate::helpers::send(app.admin(Method::GET, path))
            .await
            .expect(301);
        assert!(
            moved
                .header("location")
                .unwrap()
                .starts_with("/api/v1/tags/rust")
        );
    }
}

async fn the_public_may_filter_posts_by_an_internal_tag(app: TestApp) {
    let later = app.publish("Later", &["Rust", "#Later"]).await;
    app.publish("Now", &["Rust"]).await;
    let filtered = app.get("/posts?tag=hash-later").await.expect(200).body;
    assert_eq!(filtered["total"], 1);
    assert_eq!(filtered["items"][0]["id"], later["id"]);
    assert_eq!(tag_names(&filtered["items"][0]), ["Rust"]);
    let both = app
        .get("/posts?tag=rust&tag=hash-later")
        .await
        .expect(200)
        .body;
    assert_eq!(both["total"], 1);
    let any = app
        .get("/posts?tag_any=hash-later&tag_any=rust")
        .await
        .expect(200)
        .body;
    assert_eq!(any["total"], 2);
}

async fn every_authenticated_caller_sees_internal_tags(app: TestApp) {
    let post = app.publish("Shown", &["Rust", "#Later"]).await;
    app.create_user("Cora", "cora@example.com", "contributor", "correct horse")
        .await;
    let token = app.sign_in("cora@example.com", "correct horse").await;
    let tag = app
        .with_token(&token, Method::GET, "/tags/hash-later", None)
        .await
        .expect(200)
        .body;
    assert_eq!(tag["visibility"], "internal");
    assert_eq!(tag["post_count"], 1);
    let page = app
        .with_token(&token, Method::GET, "/tags/hash-later/posts", None)
        .await
        .expect(200)
        .body;
    assert_eq!(page["items"][0]["id"], post["id"]);
    let seen = app
        .with_token(&token, Method::GET, &format!("/posts/{}", post["id"]), None)
        .await
        .expect(200)
        .body;
    assert_eq!(tag_names(&seen), ["Rust", "#Later"]);
    let listed = app
        .with_token(&token, Method::GET, "/tags?q=%23", None)
        .await
        .expect(200)
        .body;
    assert_eq!(slugs(&listed["items"]), ["hash-later"]);
}
