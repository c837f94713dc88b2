//! What must hold across instances on one database: a revoked credential,
//! a changed role, a deleted user and a changed password take effect on
//! the very next request on the other instance, and failed sign-ins are
//! counted together.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, send};

crate::on_both_backends!(
    two instances;
    revocations_take_effect_at_once_on_every_instance,
    a_role_change_takes_effect_at_once_on_every_instance,
    failed_sign_ins_lock_an_email_across_instances,
);

const PASSWORD: &str = "correct horse battery";

async fn revocations_take_effect_at_once_on_every_instance(a: TestApp, b: TestApp) {
    a.create_user("Ed", "ed@example.com", "editor", PASSWORD)
        .await;
    a.create_user("Al", "al@example.com", "author", PASSWORD)
        .await;

    // An ended session, used on the other instance.
    let session = a.sign_in("ed@example.com", PASSWORD).await;
    b.with_token(&session, Method::GET, "/me", None)
        .await
        .expect(200);
    a.with_token(&session, Method::DELETE, "/session", None)
        .await
        .expect(204);
    b.with_token(&session, Method::GET, "/me", None)
        .await
        .expect_problem(401);

    // A deleted key.
    let session = b.sign_in("ed@example.com", PASSWORD).await;
    let key = b
        .with_token(&session, Method::POST, "/keys", Some(json!({"name": "k"})))
        .await
        .expect(201)
        .body;
    let token = key["token"].as_str().unwrap().to_owned();
    a.with_token(&token, Method::GET, "/posts?status=draft", None)
        .await
        .expect(200);
    b.with_token(
        &session,
        Method::DELETE,
        &format!("/keys/{}", key["id"]),
        None,
    )
    .await
    .expect(204);
    a.with_token(&token, Method::GET, "/posts?status=draft", None)
        .await
        .expect_problem(401);

    // A changed password ends the user's other sessions everywhere.
    let other = a.sign_in("ed@example.com", PASSWORD).await;
    b.with_token(&other, Method::GET, "/me", None)
        .await
        .expect(200);
    a.with_token(
        &session,
        Method::PATCH,
        "/users/ed",
        Some(json!({"password": "another passphrase", "current_password": PASSWORD})),
    )
    .await
    .expect(200);
    b.with_token(&other, Method::GET, "/me", None)
        .await
        .expect_problem(401);
    b.with_token(&session, Method::GET, "/me", None)
        .await
        .expect(200);

    // A deleted user's credentials.
    let author = b.sign_in("al@example.com", PASSWORD).await;
    a.with_token(&author, Method::GET, "/me", None)
        .await
        .expect(200);
    b.admin_delete("/users/al").await.expect(204);
    a.with_token(&author, Method::GET, "/me", None)
        .await
        .expect_problem(401);
}

async fn a_role_change_takes_effect_at_once_on_every_instance(a: TestApp, b: TestApp) {
    a.create_user("Al", "al@example.com", "author", PASSWORD)
        .await;
    a.admin_post("/tags", json!({"name": "Rust"}))
        .await
        .expect(201);
    let author = a.sign_in("al@example.com", PASSWORD).await;
    let describe = json!({"description": "Systems"});
    b.with_token(&author, Method::PATCH, "/tags/rust", Some(describe.clone()))
        .await
        .expect_problem(403);
    a.admin_patch("/users/al", json!({"role": "editor"}))
        .await
        .expect(200);
    b.with_token(&author, Method::PATCH, "/tags/rust", Some(describe))
        .await
        .expect(200);
    let published = json!({"title": "Out now", "status": "published"});
    a.with_token(&author, Method::POST, "/posts", Some(published.clone()))
        .await
        .expect(201);
    b.admin_patch("/users/al", json!({"role": "contributor"}))
        .await
        .expect(200);
    a.with_token(&author, Method::POST, "/posts", Some(published))
        .await
        .expect_problem(403);
}

async fn failed_sign_ins_lock_an_email_across_instances(a: TestApp, b: TestApp) {
    a.create_user("Lin", "lin@example.com", "author", PASSWORD)
        .await;
    for (i, app) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        send(
            app.request(Method::POST, "/session")
                .json(&json!({"email": "lin@example.com", "password": format!("wrong {i}")})),
        )
        .await
        .expect_problem(401);
    }
    for app in [&a, &b] {
        send(
            app.request(Method::POST, "/session")
                .json(&json!({"email": "lin@example.com", "password": PASSWORD})),
        )
        .await
        .expect_problem(429);
    }
}
