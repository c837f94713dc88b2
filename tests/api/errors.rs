//! Authentication and the error table: every error is problem+json with the
//! contract's status.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TOKEN, TestApp, send};

crate::on_both_backends!(
    admin_routes_need_the_token,
    a_wrong_token_is_refused_everywhere,
    malformed_json_is_400,
    a_value_of_the_wrong_type_is_400_naming_the_field,
    a_body_that_is_not_json_is_415,
    a_body_over_the_limit_is_413,
    bad_query_and_path_parameters_are_400,
    missing_required_fields_are_422,
    unknown_routes_and_methods_are_problems,
    health_and_readiness,
);

async fn admin_routes_need_the_token(app: TestApp) {
    let post = app.create_post(json!({"title": "Exists"})).await;
    let path = format!("/posts/{}", post["id"]);
    let attempts = [
        app.request(Method::POST, "/posts")
            .json(&json!({"title": "x"})),
        app.request(Method::PATCH, &path)
            .json(&json!({"title": "x"})),
        app.request(Method::DELETE, &path),
        app.request(Method::POST, &format!("{path}/restore")),
    ];
    for attempt in attempts {
        let reply = send(attempt).await.expect_problem(401);
        assert!(
            reply
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer")
        );
    }
    // Nothing changed.
    assert_eq!(
        app.admin_get(&path).await.expect(200).body["title"],
        "Exists"
    );
    assert_eq!(app.admin_get("/posts").await.body["total"], 1);
}

async fn a_wrong_token_is_refused_everywhere(app: TestApp) {
    for path in ["/posts", "/tags", "/tags/x", "/posts/1"] {
        let wrong = send(app.request(Method::GET, path).bearer_auth("not-the-token")).await;
        let reply = wrong.expect_problem(401);
        assert!(
            reply
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer")
        );
        let detail = reply.body.to_string();
        assert!(!detail.contains("not-the-token") && !detail.contains(TOKEN));
    }
    let basic = send(
        app.request(Method::GET, "/posts")
            .header("Authorization", format!("Basic {TOKEN}")),
    )
    .await;
    basic.expect_problem(401);
    let prefix = send(
        app.request(Method::GET, "/posts")
            .bearer_auth(&TOKEN[..TOKEN.len() - 1]),
    )
    .await;
    prefix.expect_problem(401);
}

async fn malformed_json_is_400(app: TestApp) {
    for body in ["{", "{\"title\": }", "", "{\"title\": \"a\"} trailing"] {
        let reply = send(
            app.admin(Method::POST, "/posts")
                .header("Content-Type", "application/json")
                .body(body),
        )
        .await
        .expect_problem(400);
        assert!(
            reply.body["detail"].as_str().unwrap().contains("JSON"),
            "{body}: {}",
            reply.body
        );
    }
}

async fn a_value_of_the_wrong_type_is_400_naming_the_field(app: TestApp) {
    let reply = app
        .admin_post("/posts", json!({"title": 5}))
        .await
        .expect_problem(400);
    assert!(
        reply.body["detail"].as_str().unwrap().contains("title"),
        "{}",
        reply.body
    );
    let item = app
        .admin_post("/posts", json!({"title": "x", "tags": ["a", 7]}))
        .await
        .expect_problem(400);
    assert!(
        item.body["detail"].as_str().unwrap().contains("tags[1]"),
        "{}",
        item.body
    );
    app.admin_post("/posts", json!(["not", "an", "object"]))
        .await
        .expect_problem(400);
    app.admin_post("/posts", json!({"title": "x", "tags": "one"}))
        .await
        .expect_problem(400);
}

async fn a_body_that_is_not_json_is_415(app: TestApp) {
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = app.admin(Method::POST, "/posts").body(r#"{"title": "x"}"#);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        send(request).await.expect_problem(415);
    }
    let charset = send(
        app.admin(Method::POST, "/posts")
            .header("Content-Type", "application/json; charset=utf-8")
            .body(r#"{"title": "x"}"#),
    )
    .await;
    charset.expect(201);
}

async fn a_body_over_the_limit_is_413(app: TestApp) {
    let body = json!({"title": "Big", "body": "x".repeat(1 << 20)});
    app.admin_post("/posts", body).await.expect_problem(413);
    // Just under the limit is fine: the body is bounded only by the limit.
    let body = json!({"title": "Big", "body": "x".repeat((1 << 20) - 100)});
    app.admin_post("/posts", body).await.expect(201);
}

async fn bad_query_and_path_parameters_are_400(app: TestApp) {
    for path in [
        "/posts?page=0",
        "/posts?page=abc",
        "/posts?per_page=0",
        "/posts?per_page=101",
        "/posts?tag=Not%20A%20Slug",
        "/posts/abc",
        "/posts/99999999999999999999",
        "/tags?per_page=abc",
    ] {
        let reply = app.get(path).await.expect_problem(400);
        assert!(!reply.body["detail"].as_str().unwrap().is_empty());
    }
    let named = app.get("/posts?per_page=abc").await.expect_problem(400);
    assert!(
        named.body["detail"].as_str().unwrap().contains("per_page"),
        "{}",
        named.body
    );
    app.get("/posts?per_page=100").await.expect(200);
}

async fn missing_required_fields_are_422(app: TestApp) {
    let reply = app
        .admin_post("/posts", json!({}))
        .await
        .expect_problem(422);
    assert_eq!(reply.body["detail"], "request body failed validation");
    assert!(reply.body["errors"]["title"].is_array());
    for title in ["", "   ", &"x".repeat(201)] {
        app.admin_post("/posts", json!({"title": title}))
            .await
            .expect_problem(422);
    }
    // 1 to 200 characters after trimming: white space around the longest
    // title is taken, and trimmed.
    let padded = format!("\t{}  ", "x".repeat(200));
    let created = app.admin_post("/posts", json!({"title": padded})).await;
    assert_eq!(created.expect(201).body["title"], "x".repeat(200));
    app.admin_post("/posts", json!({"title": null}))
        .await
        .expect_problem(422);
    app.admin_post("/posts", json!({"title": "x", "tags": null}))
        .await
        .expect_problem(422);
    app.admin_post("/posts", json!({"title": "x", "status": "scheduled"}))
        .await
        .expect_problem(422);
}

async fn unknown_routes_and_methods_are_problems(app: TestApp) {
    app.get("/nothing-here").await.expect_problem(404);
    app.get("/api/v2/posts").await.expect_problem(404);
    let reply = send(app.admin(Method::PUT, "/posts"))
        .await
        .expect_problem(405);
    assert!(reply.header("allow").is_some());
}

async fn health_and_readiness(app: TestApp) {
    assert_eq!(app.get("/healthz").await.expect(200).body["status"], "ok");
    assert_eq!(app.get("/readyz").await.expect(200).body["status"], "ready");
}
