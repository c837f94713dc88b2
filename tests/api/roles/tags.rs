//! The tags rows of the role table.

use reqwest::Method;
use serde_json::json;

use super::{Member, check, total};
use crate::helpers::TestApp;

/// Tag names that are no tag yet, wherever posts name tags.
pub(super) async fn names_new_tags(app: &TestApp, member: &Member) {
    app.create_post(json!({"title": "Tagged", "tags": ["Rust"]}))
        .await;
    let own_draft = member.draft(app, "Own draft").await;
    let path = format!("/posts/{own_draft}");
    let named = json!(["rust", "Brand new", "Another"]);
    let attempts = [
        (
            Method::POST,
            "/posts".to_owned(),
            json!({"title": "New", "tags": named}),
        ),
        (Method::PATCH, path.clone(), json!({"tags": named})),
        (Method::POST, format!("{path}/tags"), json!({"tags": named})),
        (
            Method::POST,
            "/posts/bulk".to_owned(),
            json!({"ids": [own_draft], "action": "add_tags", "tags": named}),
        ),
    ];
    let tags_before = total(app, "/tags").await;
    for (method, path, body) in attempts {
        let reply = member.call(app, method, &path, Some(body)).await;
        if member.role != "contributor" {
            assert!(reply.status.is_success(), "{path}: {}", reply.body);
            continue;
        }
        let refused = reply.expect_problem(403);
        let messages = refused.body["errors"]["tags"].as_array().unwrap().clone();
        assert_eq!(messages.len(), 2, "each new tag named: {messages:?}");
        assert!(messages[0].as_str().unwrap().contains("Brand new"));
        assert!(messages[1].as_str().unwrap().contains("Another"));
    }
    let tags_after = total(app, "/tags").await;
    assert_eq!(tags_after - tags_before, member.expects([0, 2, 2, 2]));
    assert_eq!(
        total(app, "/posts?status=all").await,
        member.expects([2, 3, 3, 3])
    );
    // Existing tags are every contributor's to use.
    let existing = json!({"tags": ["RUST"]});
    let reply = member.call(app, Method::PATCH, &path, Some(existing)).await;
    assert_eq!(reply.expect(200).body["tags"][0]["slug"], "rust");
}

/// `POST /tags`.
pub(super) async fn creates_tags(app: &TestApp, member: &Member) {
    let body = json!({"name": "Rust"});
    let reply = member.call(app, Method::POST, "/tags", Some(body)).await;
    check(reply, member.expects([403, 201, 201, 201]));
    assert_eq!(total(app, "/tags").await, member.expects([0, 1, 1, 1]));
}

/// `PATCH`, merge and `DELETE` of tags.
pub(super) async fn manages_tags(app: &TestApp, member: &Member) {
    for name in ["Rust", "Go", "C"] {
        app.admin_post("/tags", json!({"name": name}))
            .await
            .expect(201);
    }
    let allowed = member.expects([403, 403, 200, 200]);
    let rename = json!({"description": "Systems"});
    let reply = member
        .call(app, Method::PATCH, "/tags/rust", Some(rename))
        .await;
    check(reply, allowed);
    let merge = json!({"into": "rust"});
    let reply = member
        .call(app, Method::POST, "/tags/go/merge", Some(merge))
        .await;
    check(reply, allowed);
    let reply = member.call(app, Method::DELETE, "/tags/c", None).await;
    check(reply, member.expects([403, 403, 204, 204]));
    let left = total(app, "/tags").await;
    assert_eq!(left, member.expects([3, 3, 1, 1]));
    let rust = app.admin_get("/tags/rust").await.expect(200);
    assert_eq!(rust.body["description"].is_null(), allowed != 200);
}
