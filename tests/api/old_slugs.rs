//! Old slugs: tags and posts stay reachable at every slug they had, by one
//! `301` to where they are now.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Reply, TestApp, send};

crate::on_both_backends!(
    a_renamed_tag_is_one_hop_from_each_old_slug,
    a_merged_tag_leads_to_its_target,
    a_new_owner_of_an_old_slug_wins,
    old_slugs_of_hidden_tags_and_posts_are_not_found,
    a_post_is_one_hop_from_each_old_slug,
);

fn location(reply: &Reply) -> &str {
    assert_eq!(reply.status, 301, "{:?}", reply.body);
    reply.header("location").expect("a Location")
}

async fn a_renamed_tag_is_one_hop_from_each_old_slug(app: TestApp) {
    app.publish("Post", &["JS"]).await;
    app.admin_patch("/tags/js", json!({"slug": "javascript"}))
        .await
        .expect(200);
    app.admin_patch("/tags/javascript", json!({"slug": "ecmascript"}))
        .await
        .expect(200);
    for old in ["js", "javascript"] {
        let tag = app.get(&format!("/tags/{old}")).await;
        assert_eq!(location(&tag), "/api/v1/tags/ecmascript");
        let page = app
            .get(&format!("/tags/{old}/posts?page=2&per_page=5"))
            .await;
        assert_eq!(
            location(&page),
            "/api/v1/tags/ecmascript/posts?page=2&per_page=5"
        );
    }
    assert_eq!(
        app.get("/tags/ecmascript").await.expect(200).body["post_count"],
        1
    );
    // Back to a slug it had: that one is current again, the others lead to it.
    app.admin_patch("/tags/ecmascript", json!({"slug": "js"}))
        .await
        .expect(200);
    app.get("/tags/js").await.expect(200);
    assert_eq!(
        location(&app.get("/tags/ecmascript").await),
        "/api/v1/tags/js"
    );
    assert_eq!(
        location(&app.get("/tags/javascript").await),
        "/api/v1/tags/js"
    );
    app.get("/tags/never-was").await.expect_problem(404);
}

async fn a_merged_tag_leads_to_its_target(app: TestApp) {
    app.publish("One", &["Rustlang"]).await;
    app.publish("Two", &["Rust"]).await;
    app.admin_patch("/tags/rustlang", json!({"slug": "rust-lang"}))
        .await
        .expect(200);
    app.admin_post("/tags/rust-lang/merge", json!({"into": "rust"}))
        .await
        .expect(200);
    for old in ["rustlang", "rust-lang"] {
        let reply = app.get(&format!("/tags/{old}/posts")).await;
        assert_eq!(location(&reply), "/api/v1/tags/rust/posts");
    }
    // Deleting the target takes its old slugs with it.
    app.admin_delete("/tags/rust?force=true").await.expect(204);
    app.get("/tags/rust-lang").await.expect_problem(404);
}

async fn a_new_owner_of_an_old_slug_wins(app: TestApp) {
    app.admin_post("/tags", json!({"name": "Go"}))
        .await
        .expect(201);
    app.admin_patch("/tags/go", json!({"slug": "golang"}))
        .await
        .expect(200);
    assert_eq!(location(&app.get("/tags/go").await), "/api/v1/tags/golang");
    let game = app
        .admin_post("/tags", json!({"name": "Go (game)", "slug": "go"}))
        .await
        .expect(201)
        .body;
    assert_eq!(app.get("/tags/go").await.expect(200).body["id"], game["id"]);

    let first = app
        .create_post(json!({"title": "First", "slug": "hello", "status": "published"}))
        .await;
    app.admin_patch(
        &format!("/posts/{}", first["id"]),
        json!({"slug": "hello-old"}),
    )
    .await
    .expect(200);
    let second = app
        .create_post(json!({"title": "Second", "slug": "hello", "status": "published"}))
        .await;
    let found = app.get("/posts/slug/hello").await.expect(200).body;
    assert_eq!(found["id"], second["id"]);
}

async fn old_slugs_of_hidden_tags_and_posts_are_not_found(app: TestApp) {
    app.publish("Post", &["#Later"]).await;
    app.admin_patch("/tags/hash-later", json!({"slug": "hash-someday"}))
        .await
        .expect(200);
    app.get("/tags/hash-later").await.expect_problem(404);
    let staff = send(app.admin(Method::GET, "/tags/hash-later")).await;
    assert_eq!(location(&staff), "/api/v1/tags/hash-someday");

    let draft = app
        .create_post(json!({"title": "Draft", "slug": "draft-one"}))
        .await;
    let path = format!("/posts/{}", draft["id"]);
    app.admin_patch(&path, json!({"slug": "draft-two"}))
        .await
        .expect(200);
    app.get("/posts/slug/draft-one").await.expect_problem(404);
    let staff = send(app.admin(Method::GET, "/posts/slug/draft-one")).await;
    assert_eq!(location(&staff), "/api/v1/posts/slug/draft-two");
    // Deleted for good: no post, no redirect.
    send(app.admin(Method::DELETE, &format!("{path}?permanent=true")))
        .await
        .expect(204);
    send(app.admin(Method::GET, "/posts/slug/draft-one"))
        .await
        .expect_problem(404);
}

async fn a_post_is_one_hop_from_each_old_slug(app: TestApp) {
    let post = app
        .create_post(json!({"title": "Hello", "status": "published"}))
        .await;
    let path = format!("/posts/{}", post["id"]);
    for slug in ["hello-world", "hello-rust"] {
        app.admin_patch(&path, json!({"slug": slug}))
            .await
            .expect(200);
    }
    for old in ["hello", "hello-world"] {
        let reply = app.get(&format!("/posts/slug/{old}")).await;
        assert_eq!(location(&reply), "/api/v1/posts/slug/hello-rust");
    }
    let current = app.get("/posts/slug/hello-rust").await.expect(200).body;
    assert_eq!(current["id"], post["id"]);
}
