//! Tag administration seen from another instance on the same database.

use serde_json::json;

use crate::helpers::{TestApp, tag_names};

crate::on_both_backends!(two instances;
    tag_changes_reach_every_instance_at_once,
);

/// An alias, a tag's fields and its old slug, written through one instance,
/// are what the other answers on the very next request.
async fn tag_changes_reach_every_instance_at_once(a: TestApp, b: TestApp) {
    a.publish("Post", &["JavaScript"]).await;
    // B reads the tag first, so that it has it in memory.
    assert_eq!(b.get("/tags/javascript").await.body["aliases"], json!([]));
    a.admin_post("/tags/javascript/aliases", json!({"name": "JS"}))
        .await
        .expect(201);
    a.admin_patch(
        "/tags/javascript",
        json!({"accent_color": "#F7DF1E", "slug": "js-lang"}),
    )
    .await
    .expect(200);
    let tag = b.get("/tags/js-lang").await.expect(200).body;
    assert_eq!(tag["aliases"], json!(["JS"]));
    assert_eq!(tag["accent_color"], "#f7df1e");
    let moved = b.get("/tags/javascript").await.expect(301);
    assert_eq!(moved.header("location"), Some("/api/v1/tags/js-lang"));
    let post = b.publish("Another", &["js"]).await;
    assert_eq!(tag_names(&post), ["JavaScript"]);
}
