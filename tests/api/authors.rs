//! Authors on posts: who a post is by, everywhere a post is shown, kept
//! current when the user is renamed, and given to another user by editors.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, send};

crate::on_both_backends!(
    every_post_names_its_author_and_nothing_private,
    a_renamed_author_shows_at_once,
    author_names_an_existing_user,
    posts_are_filtered_by_any_of_their_authors,
);

const PASSWORD: &str = "correct horse battery";

/// Only `id`, `name` and `slug`: never email or role.
fn assert_author(post: &Value, slug: &str, name: &str) {
    let author = post["author"].as_object().expect("an author");
    let mut members: Vec<&str> = author.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(members, ["id", "name", "slug"], "{post}");
    assert_eq!(author["slug"], slug);
    assert_eq!(author["name"], name);
}

async fn every_post_names_its_author_and_nothing_private(app: TestApp) {
    app.create_user("Ada Lovelace", "ada@example.com", "author", PASSWORD)
        .await;
    let ada = app.sign_in("ada@example.com", PASSWORD).await;
    let body = json!({"title": "Notes", "status": "published", "tags": ["Maths"]});
    let created = app
        .with_token(&ada, Method::POST, "/posts", Some(body))
        .await
        .expect(201);
    assert_author(&created.body, "ada-lovelace", "Ada Lovelace");
    let id = created.body["id"].clone();
    let owners = app.publish("Owner's", &["maths"]).await;
    assert_author(&owners, "owner", "Owner");

    let one = app.get(&format!("/posts/{id}")).await.expect(200);
    assert_author(&one.body, "ada-lovelace", "Ada Lovelace");
    let by_slug = app.get("/posts/slug/notes").await.expect(200);
    assert_author(&by_slug.body, "ada-lovelace", "Ada Lovelace");
    for list in ["/posts", "/tags/maths/posts"] {
        let page = app.get(list).await.expect(200);
        let items = page.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{list}");
        assert_author(&items[0], "owner", "Owner");
        assert_author(&items[1], "ada-lovelace", "Ada Lovelace");
    }
    let edited = app
        .admin_patch(&format!("/posts/{id}"), json!({"tags": ["Maths", "Logic"]}))
        .await
        .expect(200);
    assert_author(&edited.body, "ada-lovelace", "Ada Lovelace");
}

async fn a_renamed_author_shows_at_once(app: TestApp) {
    app.create_user("Ada", "ada@example.com", "author", PASSWORD)
        .await;
    let ada = app.sign_in("ada@example.com", PASSWORD).await;
    let body = json!({"title": "Notes", "status": "published"});
    let id = app
        .with_token(&ada, Method::POST, "/posts", Some(body))
        .await
        .expect(201)
        .body["id"]
        .clone();
    // Read twice, so that the post and the page are remembered.
    let mut etag = String::new();
    for _ in 0..2 {
        let read = app.get(&format!("/posts/{id}")).await.expect(200);
        etag = read.header("etag").unwrap().to_owned();
        app.get("/posts").await.expect(200);
    }
    app.with_token(
        &ada,
        Method::PATCH,
        "/users/ada",
        Some(json!({"name": "Ada King"})),
    )
    .await
    .expect(200);
    // A client holding the old version gets the new one, not a 304.
    let one = send(
        app.request(Method::GET, &format!("/posts/{id}"))
            .header("If-None-Match", &etag),
    )
    .await
    .expect(200);
    assert_author(&one.body, "ada", "Ada King");
    let page = app.get("/posts").await.expect(200);
    assert_author(&page.body["items"][0], "ada", "Ada King");
    let etag = one.header("etag").unwrap().to_owned();

    // So does one whose post went to another user with its author's
    // deletion.
    app.admin_delete("/users/ada?reassign_to=owner")
        .await
        .expect(204);
    let moved = send(
        app.request(Method::GET, &format!("/posts/{id}"))
            .header("If-None-Match", &etag),
    )
    .await
    .expect(200);
    assert_author(&moved.body, "owner", "Owner");
}

async fn author_names_an_existing_user(app: TestApp) {
    let post = app.create_post(json!({"title": "Draft"})).await;
    let path = format!("/posts/{}", post["id"]);
    for (author, status) in [
        (json!("nobody"), 422),
        (json!(null), 422),
        (json!("Not A Slug"), 422),
        (json!(5), 400),
    ] {
        let reply = app
            .admin_patch(&path, json!({"author": author, "title": "Changed"}))
            .await
            .expect_problem(status);
        if status == 422 {
            assert!(reply.body["errors"]["author"].is_array(), "{}", reply.body);
        }
    }
    let unchanged = app.admin_get(&path).await.expect(200);
    assert_eq!(unchanged.body["title"], "Draft");
    assert_author(&unchanged.body, "owner", "Owner");
    let reply = app
        .admin_post("/posts", json!({"title": "Orphan", "author": "nobody"}))
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["author"].is_array());
    assert_eq!(app.admin_get("/posts?status=all").await.body["total"], 1);
}

/// The titles of a list, in order.
async fn titles(app: &TestApp, path: &str) -> Vec<String> {
    let page = app.get(path).await.expect(200);
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|post| post["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn posts_are_filtered_by_any_of_their_authors(app: TestApp) {
    for (name, email) in [("Ada", "ada@example.com"), ("Bo", "bo@example.com")] {
        app.create_user(name, email, "author", PASSWORD).await;
    }
    let by = |title: &str, author: &str, tags: &[&str]| json!({"title": title, "author": author, "status": "published", "tags": tags});
    for body in [
        by("Ada on Rust", "ada", &["Rust"]),
        by("Bo on Go", "bo", &["Go"]),
        by("Bo on Rust", "bo", &["Rust"]),
        json!({"title": "Ada's draft", "author": "ada"}),
    ] {
        app.create_post(body).await;
    }
    app.publish("Owner's", &["Rust"]).await;

    assert_eq!(titles(&app, "/posts?author=ada").await, ["Ada on Rust"]);
    assert_eq!(
        titles(&app, "/posts?author=bo&author=ada").await,
        ["Bo on Rust", "Bo on Go", "Ada on Rust"]
    );
    assert_eq!(
        titles(&app, "/posts?author=bo&tag=rust").await,
        ["Bo on Rust"]
    );
    assert!(titles(&app, "/posts?author=nobody").await.is_empty());
    let drafts = app
        .admin_get("/posts?author=ada&status=draft")
        .await
        .expect(200);
    assert_eq!(drafts.body["total"], 1);
    app.get("/posts?author=Not%20a%20slug")
        .await
        .expect_problem(400);

    // Given to another author, a post moves between their lists at once.
    let first = titles(&app, "/posts?author=ada").await;
    assert_eq!(first, ["Ada on Rust"]);
    let bo_on_go = app.get("/posts/slug/bo-on-go").await.expect(200);
    app.admin_patch(
        &format!("/posts/{}", bo_on_go.body["id"]),
        json!({"author": "ada"}),
    )
    .await
    .expect(200);
    assert_eq!(
        titles(&app, "/posts?author=ada").await,
        ["Bo on Go", "Ada on Rust"]
    );
    let page = app.get("/posts?author=ada").await.expect(200);
    assert_eq!(page.body["total"], 2);
}
