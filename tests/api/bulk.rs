//! `POST /posts/bulk`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, tag_names};

crate::on_both_backends!(
    publish_and_unpublish_many,
    delete_and_restore_many,
    add_and_remove_tags_on_many,
    bulk_add_tags_keeps_the_limit,
    bulk_requests_are_validated,
);

async fn ids(app: &TestApp, count: usize, body: Value) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..count {
        let mut post = body.clone();
        post["title"] = json!(format!("Post {i}"));
        ids.push(app.create_post(post).await["id"].as_i64().unwrap());
    }
    ids
}

async fn bulk(app: &TestApp, body: Value) -> Value {
    app.admin_post("/posts/bulk", body).await.expect(200).body
}

async fn publish_and_unpublish_many(app: TestApp) {
    let drafts = ids(&app, 3, json!({})).await;
    let live = ids(
        &app,
        1,
        json!({"status": "published", "published_at": "2026-01-01T00:00:00Z"}),
    )
    .await;
    let all: Vec<i64> = drafts
        .iter()
        .chain(&live)
        .copied()
        .chain([424242])
        .collect();

    let outcome = bulk(&app, json!({"ids": all, "action": "publish"})).await;
    assert_eq!(outcome, json!({"matched": 4, "updated": 3}));
    assert_eq!(app.get("/posts").await.body["total"], 4);
    // An existing date is kept; an undated post is dated now.
    let kept = app.get(&format!("/posts/{}", live[0])).await.body;
    assert_eq!(kept["published_at"], "2026-01-01T00:00:00Z");
    assert!(app.get(&format!("/posts/{}", drafts[0])).await.body["published_at"].is_string());

    let again = bulk(&app, json!({"ids": all, "action": "publish"})).await;
    assert_eq!(again, json!({"matched": 4, "updated": 0}));

    let outcome = bulk(
        &app,
        json!({"ids": [drafts[0], drafts[1], drafts[1]], "action": "unpublish"}),
    )
    .await;
    assert_eq!(outcome, json!({"matched": 2, "updated": 2}));
    assert_eq!(app.get("/posts").await.body["total"], 2);
}

async fn delete_and_restore_many(app: TestApp) {
    let posts = ids(&app, 3, json!({"status": "published", "tags": ["Counted"]})).await;
    let outcome = bulk(
        &app,
        json!({"ids": [posts[0], posts[1]], "action": "delete"}),
    )
    .await;
    assert_eq!(outcome, json!({"matched": 2, "updated": 2}));
    assert_eq!(app.get("/posts").await.body["total"], 1);
    assert_eq!(app.get("/tags/counted").await.body["post_count"], 1);
    assert_eq!(
        app.admin_get("/posts?status=deleted").await.body["total"],
        2
    );

    let outcome = bulk(&app, json!({"ids": posts, "action": "restore"})).await;
    assert_eq!(outcome, json!({"matched": 3, "updated": 2}));
    assert_eq!(app.get("/posts").await.body["total"], 3);
}

async fn add_and_remove_tags_on_many(app: TestApp) {
    let plain = ids(&app, 2, json!({"tags": ["Old"]})).await;
    let tagged = ids(&app, 1, json!({"tags": ["Existing", "Old"]})).await;
    let all: Vec<i64> = plain.iter().chain(&tagged).copied().collect();

    let etag_before = app
        .admin_get(&format!("/posts/{}", plain[0]))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let outcome = bulk(
        &app,
        json!({"ids": all, "action": "add_tags", "tags": ["New", "existing", "NEW"]}),
    )
    .await;
    assert_eq!(outcome, json!({"matched": 3, "updated": 3}));
    let first = app.admin_get(&format!("/posts/{}", plain[0])).await;
    assert_eq!(tag_names(&first.body), ["Old", "New", "Existing"]);
    assert_ne!(first.header("etag"), Some(etag_before.as_str()));
    let third = app.admin_get(&format!("/posts/{}", tagged[0])).await.body;
    assert_eq!(tag_names(&third), ["Existing", "Old", "New"]);

    let again = bulk(
        &app,
        json!({"ids": all, "action": "add_tags", "tags": ["new"]}),
    )
    .await;
    assert_eq!(again, json!({"matched": 3, "updated": 0}));

    let removed = bulk(
        &app,
        json!({"ids": all, "action": "remove_tags", "tags": ["OLD", "nothing"]}),
    )
    .await;
    assert_eq!(removed, json!({"matched": 3, "updated": 3}));
    assert_eq!(
        tag_names(&app.admin_get(&format!("/posts/{}", tagged[0])).await.body),
        ["Existing", "New"]
    );
    // The tags themselves remain.
    assert_eq!(
        app.admin_get("/tags/old").await.expect(200).body["total_count"],
        0
    );
}

async fn bulk_add_tags_keeps_the_limit(app: TestApp) {
    let names: Vec<String> = (0..24).map(|i| format!("n{i}")).collect();
    let full = ids(&app, 1, json!({"tags": names})).await;
    let roomy = ids(&app, 1, json!({})).await;
    let reply = app
        .admin_post(
            "/posts/bulk",
            json!({"ids": [full[0], roomy[0]], "action": "add_tags", "tags": ["x", "y"]}),
        )
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["tags"].is_array());
    // Nothing changed, for any post.
    assert_eq!(
        app.admin_get(&format!("/posts/{}", roomy[0])).await.body["tags"],
        json!([])
    );
    // Tags the post already has do not count twice.
    let fits = bulk(
        &app,
        json!({"ids": full, "action": "add_tags", "tags": ["n0", "x"]}),
    )
    .await;
    assert_eq!(fits, json!({"matched": 1, "updated": 1}));
}

async fn bulk_requests_are_validated(app: TestApp) {
    let too_many: Vec<i64> = (1..=1001).collect();
    let reply = app
        .admin_post("/posts/bulk", json!({"ids": too_many, "action": "publish"}))
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["ids"].is_array());
    let at_limit: Vec<i64> = (1..=1000).collect();
    assert_eq!(
        bulk(&app, json!({"ids": at_limit, "action": "publish"})).await["matched"],
        0
    );

    for (body, field) in [
        (json!({"ids": [1], "action": "archive"}), "action"),
        (json!({"ids": [1]}), "action"),
        (json!({"action": "publish"}), "ids"),
        (json!({"ids": [1], "action": "add_tags"}), "tags"),
        (
            json!({"ids": [1], "action": "publish", "tags": ["x"]}),
            "tags",
        ),
        (
            json!({"ids": [1], "action": "add_tags", "tags": null}),
            "tags",
        ),
        // Tags an action refuses, some of them bad names as well.
        (
            json!({"ids": [1], "action": "delete", "tags": [" "]}),
            "tags",
        ),
        (
            json!({"ids": [1], "action": "publish", "extra": 1}),
            "extra",
        ),
    ] {
        let reply = app
            .admin_post("/posts/bulk", body.clone())
            .await
            .expect_problem(422);
        assert!(
            reply.body["errors"][field].is_array(),
            "{body}: {}",
            reply.body
        );
    }
    app.admin_post("/posts/bulk", json!({"ids": ["1"], "action": "publish"}))
        .await
        .expect_problem(400);
    assert_eq!(
        bulk(&app, json!({"ids": [], "action": "delete"})).await,
        json!({"matched": 0, "updated": 0})
    );
}
