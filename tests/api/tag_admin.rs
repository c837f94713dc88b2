//! Tag administration and the post tag routes.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, send, slugs, tag_names};

crate::on_both_backends!(
    creating_a_tag,
    creating_a_tag_whose_name_exists_is_409_with_its_slug,
    renaming_keeps_the_slug_unless_a_new_one_is_given,
    renaming_onto_another_tag_is_409,
    the_description_is_three_state,
    deleting_a_carried_tag_needs_force,
    merging_moves_every_post_to_the_target_once,
    merging_into_itself_or_an_unknown_tag_is_refused,
    tag_routes_need_the_token_and_valid_bodies,
    adding_tags_to_a_post_keeps_the_existing_ones,
    adding_tags_keeps_the_limit_of_25,
    detaching_a_tag_leaves_the_tag,
);

async fn creating_a_tag(app: TestApp) {
    let reply = app
        .admin_post(
            "/tags",
            json!({"name": "  Rust   Lang ", "description": "The language"}),
        )
        .await
        .expect(201);
    assert_eq!(reply.header("location"), Some("/api/v1/tags/rust-lang"));
    let tag = reply.body;
    assert_eq!(tag["name"], "Rust Lang");
    assert_eq!(tag["slug"], "rust-lang");
    assert_eq!(tag["description"], "The language");
    assert_eq!(tag["post_count"], 0);
    assert_eq!(tag["total_count"], 0);

    let own_slug = app
        .admin_post("/tags", json!({"name": "Go", "slug": "golang"}))
        .await
        .expect(201);
    assert_eq!(own_slug.body["slug"], "golang");
    let clash = app
        .admin_post("/tags", json!({"name": "Other", "slug": "golang"}))
        .await
        .expect_problem(409);
    assert_eq!(clash.body["slug"], "golang");

    // A post naming it later gets the same tag.
    let post = app
        .create_post(json!({"title": "T", "tags": ["rust lang"]}))
        .await;
    assert_eq!(post["tags"][0]["id"], tag["id"]);
}

async fn creating_a_tag_whose_name_exists_is_409_with_its_slug(app: TestApp) {
    app.create_post(json!({"title": "T", "tags": ["C++"]}))
        .await;
    let reply = app
        .admin_post("/tags", json!({"name": " c++ "}))
        .await
        .expect_problem(409);
    assert_eq!(reply.body["slug"], "c-plus-plus");
    assert_eq!(app.get("/tags").await.body["total"], 1);
}

async fn renaming_keeps_the_slug_unless_a_new_one_is_given(app: TestApp) {
    let post = app.publish("Post", &["Javascript"]).await;
    let etag = app
        .get(&format!("/posts/{}", post["id"]))
        .await
        .header("etag")
        .unwrap()
        .to_owned();

    let renamed = app
        .admin_patch("/tags/javascript", json!({"name": "JavaScript"}))
        .await
        .expect(200)
        .body;
    assert_eq!(renamed["name"], "JavaScript");
    assert_eq!(renamed["slug"], "javascript");
    assert_eq!(renamed["post_count"], 1);

    // The post shows the new name, under a new ETag.
    let reread = app.get(&format!("/posts/{}", post["id"])).await;
    assert_eq!(tag_names(&reread.body), ["JavaScript"]);
    assert_ne!(reread.header("etag"), Some(etag.as_str()));

    let moved = app
        .admin_patch(
            "/tags/javascript",
            json!({"name": "ECMAScript", "slug": "ecmascript"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(moved["slug"], "ecmascript");
    // The old slug leads to the new one (tests/api/old_slugs.rs).
    assert_eq!(
        app.get("/tags/javascript")
            .await
            .expect(301)
            .header("location"),
        Some("/api/v1/tags/ecmascript")
    );
    assert_eq!(
        app.get("/tags/ecmascript").await.expect(200).body["name"],
        "ECMAScript"
    );
    // The old name is free again and makes a new tag.
    let post = app
        .create_post(json!({"title": "T", "tags": ["JavaScript"]}))
        .await;
    assert_eq!(post["tags"][0]["slug"], "javascript");

    app.admin_patch("/tags/unknown", json!({"name": "x"}))
        .await
        .expect_problem(404);
}

async fn renaming_onto_another_tag_is_409(app: TestApp) {
    app.create_post(json!({"title": "T", "tags": ["Alpha", "Beta"]}))
        .await;
    let by_name = app
        .admin_patch("/tags/alpha", json!({"name": "BETA"}))
        .await
        .expect_problem(409);
    assert_eq!(by_name.body["slug"], "beta");
    let by_slug = app
        .admin_patch("/tags/alpha", json!({"slug": "beta"}))
        .await
        .expect_problem(409);
    assert_eq!(by_slug.body["slug"], "beta");
    assert_eq!(
        app.get("/tags/alpha").await.expect(200).body["name"],
        "Alpha"
    );
    // Its own slug, or its own name in another case, is no clash.
    app.admin_patch("/tags/alpha", json!({"slug": "alpha", "name": "ALPHA"}))
        .await
        .expect(200);
}

async fn the_description_is_three_state(app: TestApp) {
    app.admin_post(
        "/tags",
        json!({"name": "Described", "description": "first"}),
    )
    .await
    .expect(201);
    let kept = app
        .admin_patch("/tags/described", json!({"name": "Described!"}))
        .await
        .expect(200)
        .body;
    assert_eq!(kept["description"], "first");
    let set = app
        .admin_patch("/tags/described", json!({"description": "second"}))
        .await
        .expect(200)
        .body;
    assert_eq!(set["description"], "second");
    let cleared = app
        .admin_patch("/tags/described", json!({"description": null}))
        .await
        .expect(200)
        .body;
    assert!(cleared["description"].is_null());
    for bad in [
        json!({"name": null}),
        json!({"slug": null}),
        json!({"description": "x".repeat(501)}),
    ] {
        app.admin_patch("/tags/described", bad)
            .await
            .expect_problem(422);
    }
}

async fn deleting_a_carried_tag_needs_force(app: TestApp) {
    let draft = app
        .create_post(json!({"title": "Draft", "tags": ["Doomed", "Kept"]}))
        .await;
    let trashed = app.publish("Trashed", &["Doomed"]).await;
    app.admin_delete(&format!("/posts/{}", trashed["id"]))
        .await
        .expect(204);

    let refused = app.admin_delete("/tags/doomed").await.expect_problem(409);
    assert_eq!(refused.body["slug"], "doomed");
    assert!(refused.body["detail"].as_str().unwrap().contains("force"));
    app.admin_get("/tags/doomed").await.expect(200);

    app.admin_delete("/tags/doomed?force=true")
        .await
        .expect(204);
    app.admin_get("/tags/doomed").await.expect_problem(404);
    for post in [&draft, &trashed] {
        let reread = app
            .admin_get(&format!("/posts/{}", post["id"]))
            .await
            .expect(200)
            .body;
        assert!(!tag_names(&reread).contains(&"Doomed".to_owned()));
    }
    assert_eq!(
        tag_names(&app.admin_get(&format!("/posts/{}", draft["id"])).await.body),
        ["Kept"]
    );

    // A tag no post carries goes without force.
    app.admin_post("/tags", json!({"name": "Lonely"}))
        .await
        .expect(201);
    app.admin_delete("/tags/lonely").await.expect(204);
    app.admin_delete("/tags/lonely").await.expect_problem(404);
}

async fn merging_moves_every_post_to_the_target_once(app: TestApp) {
    let only_source = app
        .publish("Only source", &["First", "Golang", "Last"])
        .await;
    let both = app.publish("Both", &["Go", "Middle", "Golang"]).await;
    let only_target = app
        .create_post(json!({"title": "Only target", "tags": ["Go"]}))
        .await;

    let target = app
        .admin_post("/tags/golang/merge", json!({"into": "go"}))
        .await
        .expect(200)
        .body;
    assert_eq!(target["slug"], "go");
    assert_eq!(target["post_count"], 2);
    assert_eq!(target["total_count"], 3);
    // The source is gone; its slug leads to the target.
    assert_eq!(
        app.admin_get("/tags/golang")
            .await
            .expect(301)
            .header("location"),
        Some("/api/v1/tags/go")
    );

    let tags_of = |post: &serde_json::Value| {
        let app = app.clone();
        let path = format!("/posts/{}", post["id"]);
        async move { tag_names(&app.admin_get(&path).await.expect(200).body) }
    };
    // The target takes the source's place.
    assert_eq!(tags_of(&only_source).await, ["First", "Go", "Last"]);
    // A post that had both keeps the target where it was, once.
    assert_eq!(tags_of(&both).await, ["Go", "Middle"]);
    assert_eq!(tags_of(&only_target).await, ["Go"]);
    assert_eq!(
        slugs(&app.get("/posts?tag=go").await.body["items"]).len(),
        2
    );
}

async fn merging_into_itself_or_an_unknown_tag_is_refused(app: TestApp) {
    app.create_post(json!({"title": "T", "tags": ["Solo"]}))
        .await;
    let itself = app
        .admin_post("/tags/solo/merge", json!({"into": "solo"}))
        .await
        .expect_problem(422);
    assert!(itself.body["errors"]["into"].is_array());
    let unknown = app
        .admin_post("/tags/solo/merge", json!({"into": "nowhere"}))
        .await
        .expect_problem(422);
    assert!(
        unknown.body["errors"]["into"][0]
            .as_str()
            .unwrap()
            .contains("nowhere")
    );
    app.admin_post("/tags/nowhere/merge", json!({"into": "solo"}))
        .await
        .expect_problem(404);
    app.admin_post("/tags/solo/merge", json!({}))
        .await
        .expect_problem(422);
    app.admin_post("/tags/solo/merge", json!({"into": "Not A Slug"}))
        .await
        .expect_problem(422);
    assert_eq!(app.get("/tags/solo").await.expect(200).body["name"], "Solo");
}

async fn tag_routes_need_the_token_and_valid_bodies(app: TestApp) {
    app.create_post(json!({"title": "T", "tags": ["Guarded"]}))
        .await;
    for request in [
        app.request(Method::POST, "/tags")
            .json(&json!({"name": "x"})),
        app.request(Method::PATCH, "/tags/guarded")
            .json(&json!({"name": "x"})),
        app.request(Method::DELETE, "/tags/guarded?force=true"),
        app.request(Method::POST, "/tags/guarded/merge")
            .json(&json!({"into": "x"})),
        app.request(Method::POST, "/posts/1/tags")
            .json(&json!({"tags": ["x"]})),
        app.request(Method::DELETE, "/posts/1/tags/guarded"),
        app.request(Method::POST, "/posts/bulk")
            .json(&json!({"ids": [1], "action": "publish"})),
    ] {
        send(request).await.expect_problem(401);
    }
    assert_eq!(
        app.get("/tags/guarded").await.expect(200).body["name"],
        "Guarded"
    );

    app.admin_post("/tags", json!({})).await.expect_problem(422);
    app.admin_post("/tags", json!({"name": ""}))
        .await
        .expect_problem(422);
    app.admin_post("/tags", json!({"name": "x", "colour": "red"}))
        .await
        .expect_problem(422);
    app.admin_post("/tags", json!({"name": 5}))
        .await
        .expect_problem(400);
    app.admin_post("/tags", json!({"name": "x", "slug": "No Good"}))
        .await
        .expect_problem(422);
}

async fn adding_tags_to_a_post_keeps_the_existing_ones(app: TestApp) {
    let post = app
        .create_post(json!({"title": "T", "tags": ["One", "Two"]}))
        .await;
    let path = format!("/posts/{}/tags", post["id"]);
    let reply = app
        .admin_post(&path, json!({"tags": ["three", "TWO", "Four", "Three"]}))
        .await
        .expect(200);
    assert!(reply.header("etag").is_some());
    assert_eq!(tag_names(&reply.body), ["One", "Two", "three", "Four"]);
    let reread = app
        .admin_get(&format!("/posts/{}", post["id"]))
        .await
        .expect(200)
        .body;
    assert_eq!(tag_names(&reread), ["One", "Two", "three", "Four"]);

    app.admin_post(&path, json!({"tags": null}))
        .await
        .expect_problem(422);
    app.admin_post(&path, json!({})).await.expect_problem(422);
    app.admin_post("/posts/99999/tags", json!({"tags": ["x"]}))
        .await
        .expect_problem(404);
    // Nothing to add is no change.
    let same = app
        .admin_post(&path, json!({"tags": []}))
        .await
        .expect(200)
        .body;
    assert_eq!(tag_names(&same), ["One", "Two", "three", "Four"]);
}

async fn adding_tags_keeps_the_limit_of_25(app: TestApp) {
    let first: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
    let post = app.create_post(json!({"title": "T", "tags": first})).await;
    let path = format!("/posts/{}/tags", post["id"]);
    let too_many: Vec<String> = (15..26).map(|i| format!("t{i}")).collect();
    let reply = app
        .admin_post(&path, json!({"tags": too_many}))
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["tags"].is_array());
    assert_eq!(
        app.admin_get(&format!("/posts/{}", post["id"])).await.body["tags"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
    app.get("/tags/t25").await.expect_problem(404);

    let exactly: Vec<String> = (15..25).map(|i| format!("T{i}")).collect();
    let full = app
        .admin_post(&path, json!({"tags": exactly}))
        .await
        .expect(200)
        .body;
    assert_eq!(full["tags"].as_array().unwrap().len(), 25);
}

async fn detaching_a_tag_leaves_the_tag(app: TestApp) {
    let post = app.publish("T", &["Stay", "Go"]).await;
    let path = format!("/posts/{}/tags/go", post["id"]);
    let reply = app.admin_delete(&path).await.expect(200);
    assert_eq!(tag_names(&reply.body), ["Stay"]);
    let tag = app.admin_get("/tags/go").await.expect(200).body;
    assert_eq!(tag["post_count"], 0);
    assert_eq!(tag["total_count"], 0);
    // Again: the post no longer has it, nothing changes.
    let again = app.admin_delete(&path).await.expect(200);
    assert_eq!(again.header("etag"), reply.header("etag"));
    app.admin_delete(&format!("/posts/{}/tags/nope", post["id"]))
        .await
        .expect_problem(404);
    app.admin_delete("/posts/99999/tags/stay")
        .await
        .expect_problem(404);
}
