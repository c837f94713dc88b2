//! Webhooks over HTTP, on both backends, with a receiver inside the test:
//! the routes and who may use them, signed deliveries, exactly the events
//! a change makes, retries that keep the delivery id, scheduled posts.

use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, seconds_from_now, send};
use crate::receiver::{Received, Receiver};

crate::on_both_backends!(
    administrators_manage_webhooks_and_see_each_secret_once,
    others_may_not_touch_webhooks,
    bad_webhooks_are_refused_and_nothing_is_created,
    a_published_post_is_delivered_signed_with_what_the_public_sees,
    one_accepted_edit_is_one_update_and_a_refused_one_sends_nothing,
    tag_changes_are_sent_as_the_public_sees_tags,
    a_failed_delivery_is_retried_with_the_same_id,
    a_scheduled_post_is_published_at_its_time_with_no_request,
);

/// Enough for a delivery made at once (the sender also looks every second).
const SOON: Duration = Duration::from_secs(5);

pub fn verifies(secret: &str, received: &Received) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(received.raw.as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    received.signature == expected
}

/// A webhook for `events` sent to `receiver`; its id and secret.
pub async fn subscribe(app: &TestApp, receiver: &Receiver, events: &[&str]) -> (i64, String) {
    let created = app
        .admin_post("/webhooks", json!({"url": receiver.url, "events": events}))
        .await
        .expect(201)
        .body;
    (
        created["id"].as_i64().unwrap(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

async fn administrators_manage_webhooks_and_see_each_secret_once(app: TestApp) {
    let chosen = app
        .admin_post(
            "/webhooks",
            json!({"url": "https://builder.example.com/hook", "events": ["post.published", "*"],
                   "secret": "a-secret-of-my-own-choosing"}),
        )
        .await
        .expect(201);
    assert_eq!(chosen.header("cache-control"), Some("no-store"));
    assert_eq!(chosen.body["secret"], "a-secret-of-my-own-choosing");
    assert_eq!(chosen.body["events"], json!(["post.published", "*"]));
    let generated = app
        .admin_post(
            "/webhooks",
            json!({"url": "http://cdn.example.com/purge", "events": ["tag.merged"]}),
        )
        .await
        .expect(201)
        .body;
    let secret = generated["secret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() >= 6 + 64,
        "{secret}"
    );

    let listed = app.admin_get("/webhooks").await.expect(200);
    assert_eq!(listed.header("x-total-count"), Some("2"));
    let text = listed.body.to_string();
    assert!(!text.contains("secret"), "{text}");
    assert_eq!(
        listed.body["items"][1]["url"],
        "http://cdn.example.com/purge"
    );

    let id = generated["id"].as_i64().unwrap();
    let log = app
        .admin_get(&format!("/webhooks/{id}/deliveries"))
        .await
        .expect(200);
    assert_eq!(log.body["items"], json!([]));
    app.admin_delete(&format!("/webhooks/{id}"))
        .await
        .expect(204);
    app.admin_delete(&format!("/webhooks/{id}"))
        .await
        .expect_problem(404);
    app.admin_get(&format!("/webhooks/{id}/deliveries"))
        .await
        .expect_problem(404);
    assert_eq!(app.admin_get("/webhooks").await.body["total"], 1);
}

async fn others_may_not_touch_webhooks(app: TestApp) {
    let body = json!({"url": "https://example.com/hook", "events": ["*"]});
    send(app.request(Method::POST, "/webhooks").json(&body))
        .await
        .expect_problem(401);
    send(app.request(Method::GET, "/webhooks"))
        .await
        .expect_problem(401);
    for role in ["contributor", "author", "editor"] {
        let email = format!("{role}@example.com");
        app.create_user(role, &email, role, "a long passphrase")
            .await;
        let token = app.sign_in(&email, "a long passphrase").await;
        for (method, path) in [
            (Method::POST, "/webhooks"),
            (Method::GET, "/webhooks"),
            (Method::DELETE, "/webhooks/1"),
            (Method::GET, "/webhooks/1/deliveries"),
        ] {
            let request = app.request(method, path).bearer_auth(&token).json(&body);
            send(request).await.expect_problem(403);
        }
    }
    assert_eq!(app.admin_get("/webhooks").await.body["total"], 0);
}

async fn bad_webhooks_are_refused_and_nothing_is_created(app: TestApp) {
    for (body, field) in [
        (json!({"events": ["*"]}), "url"),
        (
            json!({"url": "ftp://example.com/hook", "events": ["*"]}),
            "url",
        ),
        (json!({"url": "/relative", "events": ["*"]}), "url"),
        (json!({"url": "https://example.com/hook"}), "events"),
        (
            json!({"url": "https://example.com/hook", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://example.com/hook", "events": ["post.created"]}),
            "events",
        ),
        (
            json!({"url": "https://example.com/hook", "events": ["*"], "secret": "short"}),
            "secret",
        ),
    ] {
        let refused = app
            .admin_post("/webhooks", body.clone())
            .await
            .expect_problem(422);
        assert!(
            refused.body.to_string().contains(field),
            "{body}: {}",
            refused.body
        );
    }
    assert_eq!(app.admin_get("/webhooks").await.body["total"], 0);
}

async fn a_published_post_is_delivered_signed_with_what_the_public_sees(app: TestApp) {
    let receiver = Receiver::start(&[]);
    let (id, secret) = subscribe(&app, &receiver, &["post.published"]).await;
    // A draft is nobody's business; publishing it is.
    let post = app
        .create_post(json!({"title": "Hello hooks", "tags": ["Rust", "#theme"]}))
        .await;
    let post_id = post["id"].as_i64().unwrap();
    app.admin_patch(&format!("/posts/{post_id}"), json!({"status": "published"}))
        .await
        .expect(200);
    let received = receiver.wait_for(1, SOON).await;
    let delivery = &received[0];
    assert!(verifies(&secret, delivery), "the signature verifies");
    assert!(!verifies("another secret entirely", delivery));
    assert_eq!(delivery.event, "post.published");
    assert_eq!(delivery.content_type, "application/json");
    assert_eq!(delivery.body["id"], delivery.id.as_str());
    assert_eq!(delivery.body["event"], "post.published");
    assert_eq!(delivery.body["data"]["id"], post_id);
    assert_eq!(delivery.body["data"]["title"], "Hello hooks");
    // The public's view: no internal tag.
    let tags: Vec<&str> = delivery.body["data"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| tag["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["Rust"]);
    let keys = delivery.body["purge_keys"].as_array().unwrap();
    for key in [format!("post-{post_id}"), "posts".into(), "feeds".into()] {
        assert!(
            keys.contains(&Value::from(key.clone())),
            "{key} in {keys:?}"
        );
    }
    let log = app
        .admin_get(&format!("/webhooks/{id}/deliveries"))
        .await
        .expect(200)
        .body;
    let logged = &log["items"][0];
    assert_eq!(logged["id"], delivery.id.as_str());
    assert_eq!(logged["state"], "delivered");
    assert_eq!(logged["attempts"], 1);
    assert_eq!(logged["last_status"], 204);
    assert_eq!(logged["next_attempt_at"], Value::Null);
    assert!(!log.to_string().contains(&secret));
}

async fn one_accepted_edit_is_one_update_and_a_refused_one_sends_nothing(app: TestApp) {
    let post = app.publish("Edited once", &["Rust"]).await;
    let post_id = post["id"].as_i64().unwrap();
    let receiver = Receiver::start(&[]);
    subscribe(&app, &receiver, &["*"]).await;
    let path = format!("/posts/{post_id}");
    // Refused: invalid, stale, not allowed.
    app.admin_patch(&path, json!({"title": ""}))
        .await
        .expect_problem(422);
    let stale = app
        .admin(Method::PATCH, &path)
        .header("If-Match", "\"999\"");
    send(stale.json(&json!({"title": "Stale"})))
        .await
        .expect_problem(412);
    app.admin_patch(
        &path,
        json!({"title": "Edited, and only once", "tags": ["Rust", "Go"]}),
    )
    .await
    .expect(200);
    let received = receiver.wait_for(2, SOON).await;
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    let mut events: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.event.clone())
        .collect();
    events.sort();
    // The edit named a new public tag: it was created too.
    assert_eq!(events, ["post.updated", "tag.created"], "{received:#?}");
    let update = receiver
        .received()
        .into_iter()
        .find(|r| r.event == "post.updated")
        .unwrap();
    assert_eq!(update.body["data"]["title"], "Edited, and only once");

    // Unpublishing, then trashing a draft: one event, then none.
    app.admin_patch(&path, json!({"status": "draft"}))
        .await
        .expect(200);
    receiver.wait_for(3, SOON).await;
    app.admin_delete(&path).await.expect(204);
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    let received = receiver.received();
    assert_eq!(received.len(), 3, "{received:#?}");
    assert_eq!(received[2].event, "post.unpublished");
    assert_eq!(
        received[2].body["data"],
        json!({"id": post_id, "slug": post["slug"]})
    );
}

async fn tag_changes_are_sent_as_the_public_sees_tags(app: TestApp) {
    let receiver = Receiver::start(&[]);
    subscribe(
        &app,
        &receiver,
        &["tag.created", "tag.updated", "tag.deleted", "tag.merged"],
    )
    .await;
    app.admin_post("/tags", json!({"name": "#internal"}))
        .await
        .expect(201);
    app.admin_post("/tags", json!({"name": "#other"}))
        .await
        .expect(201);
    app.admin_post("/tags/hash-other/merge", json!({"into": "hash-internal"}))
        .await
        .expect(200);
    app.admin_post("/tags", json!({"name": "Rust"}))
        .await
        .expect(201);
    app.admin_post("/tags", json!({"name": "Rustlang"}))
        .await
        .expect(201);
    app.admin_patch("/tags/rust", json!({"description": "Fearless"}))
        .await
        .expect(200);
    app.admin_post("/tags/rustlang/merge", json!({"into": "rust"}))
        .await
        .expect(200);
    let received = receiver.wait_for(4, SOON).await;
    let events: Vec<&str> = received.iter().map(|r| r.event.as_str()).collect();
    // The internal tag made no event; each public change made one.
    let mut sorted = events.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["tag.created", "tag.created", "tag.merged", "tag.updated"],
        "{received:#?}"
    );
    let merged = received.iter().find(|r| r.event == "tag.merged").unwrap();
    assert_eq!(merged.body["data"]["slug"], "rust");
    let keys = merged.body["purge_keys"].to_string();
    assert!(keys.contains("\"tags\""), "{keys}");
    app.admin_delete("/tags/rust").await.expect(204);
    let received = receiver.wait_for(5, SOON).await;
    let deleted = received.iter().find(|r| r.event == "tag.deleted").unwrap();
    assert_eq!(deleted.body["data"]["slug"], "rust");
    assert!(deleted.body["data"].get("name").is_none());
}

async fn a_failed_delivery_is_retried_with_the_same_id(app: TestApp) {
    let receiver = Receiver::start(&[500]);
    let (id, secret) = subscribe(&app, &receiver, &["post.published"]).await;
    app.publish("Retried", &[]).await;
    receiver.wait_for(1, SOON).await;
    let log = app
        .admin_get(&format!("/webhooks/{id}/deliveries"))
        .await
        .body;
    let pending = &log["items"][0];
    assert_eq!(pending["state"], "pending");
    assert_eq!(pending["attempts"], 1);
    assert_eq!(pending["last_status"], 500);
    assert!(pending["next_attempt_at"].is_string());
    // The first retry is about 10 s later.
    let received = receiver.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(received[0].id, received[1].id);
    assert_eq!(
        received[0].raw, received[1].raw,
        "the same body at every attempt"
    );
    assert!(verifies(&secret, &received[1]));
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let log = app
        .admin_get(&format!("/webhooks/{id}/deliveries"))
        .await
        .body;
    let delivered = &log["items"][0];
    assert_eq!(delivered["id"], received[0].id.as_str());
    assert_eq!(delivered["state"], "delivered");
    assert_eq!(delivered["attempts"], 2);
    assert_eq!(delivered["last_status"], 204);
}

async fn a_scheduled_post_is_published_at_its_time_with_no_request(app: TestApp) {
    let at = seconds_from_now(3);
    let post = app
        .create_post(json!({"title": "Later", "status": "published", "published_at": at}))
        .await;
    let trashed = app
        .create_post(json!({"title": "Never", "status": "published", "published_at": at}))
        .await;
    app.admin_delete(&format!("/posts/{}", trashed["id"]))
        .await
        .expect(204);
    // A webhook made after the post was scheduled is told too.
    let receiver = Receiver::start(&[]);
    subscribe(&app, &receiver, &["post.published"]).await;
    // Rescheduled once: only the last schedule fires.
    let at = seconds_from_now(3);
    let path = format!("/posts/{}", post["id"]);
    app.admin_patch(&path, json!({"published_at": at}))
        .await
        .expect(200);
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    assert!(receiver.received().is_empty(), "not before its time");
    let received = receiver.wait_for(1, Duration::from_secs(3 + 5)).await;
    assert_eq!(received[0].body["data"]["id"], post["id"]);
    let occurred = received[0].body["occurred_at"].as_str().unwrap();
    assert_eq!(
        occurred[..19],
        at[..19],
        "it happened when the post came due"
    );
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        receiver.received().len(),
        1,
        "exactly once, and not the trashed one"
    );
}
