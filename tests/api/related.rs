//! Related posts: ranked by shared tags, rare ones weighing more, ties
//! newest first; visible posts only.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, seconds_from_now, send, slugs, tag_names};

crate::on_both_backends!(
    related_posts_rank_rare_shared_tags_first,
    related_posts_are_visible_posts_of_a_post_the_caller_sees,
    related_limits_are_checked,
);

async fn related_posts_rank_rare_shared_tags_first(app: TestApp) {
    let post = app.publish("Post", &["Rare", "Common", "#Featured"]).await;
    for n in 1..=5 {
        app.publish(&format!("Common {n}"), &["Common"]).await;
    }
    app.publish("Rare one", &["Rare"]).await;
    app.publish("Both", &["Common", "Rare"]).await;
    app.publish("Featured too", &["#Featured"]).await;
    app.publish("Unrelated", &["Other"]).await;

    let path = format!("/posts/{}/related", post["id"]);
    let related = app.get(&path).await.expect(200).body;
    // Both tags, then the rare one, then the common one newest first; the
    // internal tag relates nothing.
    assert_eq!(
        slugs(&related["items"]),
        ["both", "rare-one", "common-5", "common-4", "common-3"]
    );
    let all = app.get(&format!("{path}?limit=20")).await.expect(200).body;
    assert_eq!(all["items"].as_array().unwrap().len(), 7);
    // The public sees no internal tag in them; staff do.
    let first = &app.get(&format!("/posts/{}", post["id"])).await.body;
    assert_eq!(tag_names(first), ["Rare", "Common"]);
    let staff = app
        .admin_get(&format!("{path}?limit=1"))
        .await
        .expect(200)
        .body;
    assert_eq!(slugs(&staff["items"]), ["both"]);
}

async fn related_posts_are_visible_posts_of_a_post_the_caller_sees(app: TestApp) {
    let draft = app
        .create_post(json!({"title": "Draft", "tags": ["Rust"]}))
        .await;
    let shown = app.publish("Shown", &["Rust"]).await;
    let trashed = app.publish("Trashed", &["Rust"]).await;
    send(app.admin(Method::DELETE, &format!("/posts/{}", trashed["id"])))
        .await
        .expect(204);
    app.create_post(json!({"title": "Scheduled", "status": "published",
        "published_at": seconds_from_now(3600), "tags": ["Rust"]}))
        .await;

    let of_draft = format!("/posts/{}/related", draft["id"]);
    app.get(&of_draft).await.expect_problem(404);
    let related = app.admin_get(&of_draft).await.expect(200).body;
    assert_eq!(slugs(&related["items"]), ["shown"]);
    let of_shown = app
        .get(&format!("/posts/{}/related", shown["id"]))
        .await
        .expect(200)
        .body;
    assert!(slugs(&of_shown["items"]).is_empty());
    app.get("/posts/999999/related").await.expect_problem(404);
}

async fn related_limits_are_checked(app: TestApp) {
    let post = app.publish("Post", &["Rust"]).await;
    let path = format!("/posts/{}/related", post["id"]);
    for limit in ["1", "20"] {
        app.get(&format!("{path}?limit={limit}")).await.expect(200);
    }
    for limit in ["0", "21", "x", ""] {
        app.get(&format!("{path}?limit={limit}"))
            .await
            .expect_problem(400);
    }
}
