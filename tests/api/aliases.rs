//! Tag aliases: other names get-or-create resolves to a tag, never another
//! tag's name or alias.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, send, slugs, tag_names};

crate::on_both_backends!(
    an_alias_resolves_to_its_tag,
    an_alias_is_no_other_tags_name_or_alias,
    renaming_onto_an_alias,
    a_merge_makes_the_source_names_aliases_of_the_target,
    removing_an_alias_frees_the_name,
    concurrent_requests_never_make_a_name_both_a_tag_and_an_alias,
    alias_routes_are_for_editors_with_valid_bodies,
);

async fn add_alias(app: &TestApp, slug: &str, name: &str) -> crate::helpers::Reply {
    app.admin_post(&format!("/tags/{slug}/aliases"), json!({ "name": name }))
        .await
}

async fn an_alias_resolves_to_its_tag(app: TestApp) {
    let post = app.publish("Post", &["JavaScript"]).await;
    let reply = add_alias(&app, "javascript", "  JS ").await.expect(201);
    assert_eq!(reply.header("location"), Some("/api/v1/tags/javascript"));
    assert_eq!(reply.body["aliases"], json!(["JS"]));
    add_alias(&app, "javascript", "ECMAScript")
        .await
        .expect(201);

    let tagged = app.publish("Another", &["js", "Rust", "ecmascript"]).await;
    assert_eq!(tag_names(&tagged), ["JavaScript", "Rust"]);
    assert_eq!(tagged["tags"][0]["id"], post["tags"][0]["id"]);
    let tag = app.get("/tags/javascript").await.expect(200).body;
    assert_eq!(tag["aliases"], json!(["ECMAScript", "JS"]));
    assert_eq!(tag["post_count"], 2);
    assert_eq!(app.get("/tags").await.body["total"], 2);
    let listed = app.get("/tags").await.body;
    let javascript = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tag| tag["slug"] == "javascript")
        .unwrap()
        .clone();
    assert_eq!(javascript["aliases"], json!(["ECMAScript", "JS"]));
}

async fn an_alias_is_no_other_tags_name_or_alias(app: TestApp) {
    app.publish("Post", &["JavaScript", "TypeScript", "Rust"])
        .await;
    add_alias(&app, "javascript", "JS").await.expect(201);
    for (slug, name, owner) in [
        ("typescript", "rust", "rust"),
        ("typescript", "js", "javascript"),
        ("javascript", "JavaScript", "javascript"),
        ("javascript", "js", "javascript"),
    ] {
        let reply = add_alias(&app, slug, name).await.expect_problem(409);
        assert_eq!(reply.body["slug"], owner, "{slug} ← {name}");
    }
    // Nor may a new tag take an alias as its name.
    let reply = app
        .admin_post("/tags", json!({"name": "js"}))
        .await
        .expect_problem(409);
    assert_eq!(reply.body["slug"], "javascript");
    assert_eq!(app.get("/tags").await.body["total"], 3);
    assert_eq!(app.get("/tags/typescript").await.body["aliases"], json!([]));
}

async fn renaming_onto_an_alias(app: TestApp) {
    app.publish("Post", &["JavaScript", "TypeScript"]).await;
    add_alias(&app, "javascript", "JS").await.expect(201);
    let reply = app
        .admin_patch("/tags/typescript", json!({"name": "js"}))
        .await
        .expect_problem(409);
    assert_eq!(reply.body["slug"], "javascript");
    // Its own alias: the alias becomes its name.
    let renamed = app
        .admin_patch("/tags/javascript", json!({"name": "JS"}))
        .await
        .expect(200)
        .body;
    assert_eq!(renamed["name"], "JS");
    assert_eq!(renamed["aliases"], json!([]));
}

async fn a_merge_makes_the_source_names_aliases_of_the_target(app: TestApp) {
    app.publish("One", &["Rustlang"]).await;
    app.publish("Two", &["Rust"]).await;
    add_alias(&app, "rustlang", "Rust-lang").await.expect(201);
    let target = app
        .admin_post("/tags/rustlang/merge", json!({"into": "rust"}))
        .await
        .expect(200)
        .body;
    assert_eq!(target["aliases"], json!(["Rust-lang", "Rustlang"]));
    let post = app.publish("Three", &["RUSTLANG", "rust-lang"]).await;
    assert_eq!(tag_names(&post), ["Rust"]);
    assert_eq!(app.get("/tags").await.body["total"], 1);
    assert_eq!(app.get("/tags/rust").await.body["post_count"], 3);
}

async fn removing_an_alias_frees_the_name(app: TestApp) {
    app.publish("Post", &["JavaScript"]).await;
    add_alias(&app, "javascript", "Vanilla JS")
        .await
        .expect(201);
    send(app.admin(Method::DELETE, "/tags/javascript/aliases/vanilla%20JS"))
        .await
        .expect(204);
    assert_eq!(app.get("/tags/javascript").await.body["aliases"], json!([]));
    send(app.admin(Method::DELETE, "/tags/javascript/aliases/vanilla%20js"))
        .await
        .expect_problem(404);
    send(app.admin(Method::DELETE, "/tags/nothing/aliases/js"))
        .await
        .expect_problem(404);
    let post = app.publish("Vanilla", &["Vanilla JS"]).await;
    assert_eq!(post["tags"][0]["slug"], "vanilla-js");
}

/// An alias being added while a post names it: the name ends up an alias
/// (and the post has the aliased tag) or a tag (and the alias is refused
/// with 409), never both.
async fn concurrent_requests_never_make_a_name_both_a_tag_and_an_alias(app: TestApp) {
    app.publish("Post", &["JavaScript"]).await;
    let javascript = app.get("/tags/javascript").await.body["id"].clone();
    for round in 0..8 {
        let name = format!("Script {round}");
        let alias = add_alias(&app, "javascript", &name);
        let post = send(
            app.admin(Method::POST, "/posts")
                .json(&json!({"title": format!("Round {round}"), "tags": [name]})),
        );
        let (alias, post) = futures::join!(alias, post);
        let post = post.expect(201).body;
        let tag_of_post = &post["tags"][0];
        match alias.status.as_u16() {
            201 => assert_eq!(tag_of_post["id"], javascript, "round {round}"),
            409 => {
                assert_ne!(tag_of_post["id"], javascript, "round {round}");
                assert_eq!(alias.body["slug"], tag_of_post["slug"]);
            }
            other => panic!("round {round}: {other} {}", alias.body),
        }
    }
    let aliases = app.get("/tags/javascript").await.body["aliases"].clone();
    let tags: Vec<String> = slugs(&app.get("/tags?per_page=200").await.body["items"]);
    for alias in aliases.as_array().unwrap() {
        let slug = alias.as_str().unwrap().to_lowercase().replace(' ', "-");
        assert!(!tags.contains(&slug), "{slug} is a tag and an alias");
    }
}

async fn alias_routes_are_for_editors_with_valid_bodies(app: TestApp) {
    app.publish("Post", &["JavaScript"]).await;
    for body in [
        json!({}),
        json!({"name": null}),
        json!({"name": " "}),
        json!({"name": "js", "x": 1}),
    ] {
        let reply = app
            .admin_post("/tags/javascript/aliases", body.clone())
            .await
            .expect_problem(422);
        assert!(reply.body["errors"].is_object(), "{body}: {}", reply.body);
    }
    add_alias(&app, "nothing", "js").await.expect_problem(404);
    let anonymous = send(
        app.request(Method::POST, "/tags/javascript/aliases")
            .json(&json!({"name": "js"})),
    )
    .await;
    assert_eq!(anonymous.status, 401);
    app.create_user("Aud", "aud@example.com", "author", "correct horse")
        .await;
    let token = app.sign_in("aud@example.com", "correct horse").await;
    let body: Option<Value> = Some(json!({"name": "js"}));
    app.with_token(&token, Method::POST, "/tags/javascript/aliases", body)
        .await
        .expect_problem(403);
    app.with_token(&token, Method::DELETE, "/tags/javascript/aliases/js", None)
        .await
        .expect_problem(403);
    assert_eq!(app.get("/tags/javascript").await.body["aliases"], json!([]));
}
