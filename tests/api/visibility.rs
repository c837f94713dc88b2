//! Drafts, scheduled and trashed posts are invisible to the public: in
//! lists, single reads, tag pages and every count.

use serde_json::json;

use crate::helpers::{TestApp, seconds_from_now, slugs};

crate::on_both_backends!(
    hidden_posts_are_invisible_everywhere_to_the_public,
    a_scheduled_post_appears_when_its_time_comes,
    unpublishing_hides_a_post_again,
);

async fn hidden_posts_are_invisible_everywhere_to_the_public(app: TestApp) {
    app.publish("Visible", &["Shared"]).await;
    let draft = app
        .create_post(json!({"title": "Draft", "tags": ["Shared", "Secret"]}))
        .await;
    let scheduled = app
        .create_post(json!({
            "title": "Scheduled", "status": "published",
            "published_at": seconds_from_now(86_400), "tags": ["shared", "secret"],
        }))
        .await;
    let trashed = app.publish("Trashed", &["Shared", "Secret"]).await;
    app.admin_delete(&format!("/posts/{}", trashed["id"]))
        .await
        .expect(204);
    // A draft dated in the past is still a draft.
    app.create_post(
        json!({"title": "Dated draft", "published_at": "2020-01-01T00:00:00Z", "tags": ["Shared"]}),
    )
    .await;

    let list = app.get("/posts").await.expect(200).body;
    assert_eq!(slugs(&list["items"]), ["visible"]);
    assert_eq!(list["total"], 1);
    assert_eq!(app.get("/posts?q=d").await.expect(200).body["total"], 0);
    assert_eq!(
        app.get("/posts?tag=secret").await.expect(200).body["total"],
        0
    );
    assert_eq!(
        app.get("/posts?tag_any=secret&tag_any=shared")
            .await
            .expect(200)
            .body["total"],
        1
    );

    for hidden in [&draft, &scheduled, &trashed] {
        app.get(&format!("/posts/{}", hidden["id"]))
            .await
            .expect_problem(404);
        app.get(&format!("/posts/slug/{}", hidden["slug"].as_str().unwrap()))
            .await
            .expect_problem(404);
        // The admin reaches each of them.
        app.admin_get(&format!("/posts/{}", hidden["id"]))
            .await
            .expect(200);
    }

    let shared = app.get("/tags/shared").await.expect(200).body;
    assert_eq!(shared["post_count"], 1);
    let secret = app.get("/tags/secret").await.expect(200).body;
    assert_eq!(secret["post_count"], 0);
    let tags = app.get("/tags?min_count=1").await.expect(200).body;
    assert_eq!(slugs(&tags["items"]), ["shared"]);
    assert_eq!(tags["total"], 1);

    let page = app.get("/tags/shared/posts").await.expect(200).body;
    assert_eq!(slugs(&page["items"]), ["visible"]);
    assert_eq!(page["total"], 1);
    let secret_page = app.admin_get("/tags/secret/posts").await.expect(200).body;
    assert_eq!(
        secret_page["total"], 0,
        "the tag page shows visible posts, token or not"
    );

    // With the token, counts of everything not deleted come too.
    let admin_shared = app.admin_get("/tags/shared").await.expect(200).body;
    assert_eq!(admin_shared["post_count"], 1);
    assert_eq!(admin_shared["total_count"], 4);
}

async fn a_scheduled_post_appears_when_its_time_comes(app: TestApp) {
    let post = app
        .create_post(json!({
            "title": "Soon", "status": "published",
            "published_at": seconds_from_now(2), "tags": ["Timely"],
        }))
        .await;
    let path = format!("/posts/{}", post["id"]);
    app.get(&path).await.expect_problem(404);
    assert_eq!(
        app.get("/tags/timely").await.expect(200).body["post_count"],
        0
    );

    tokio_sleep(3).await;
    app.get(&path).await.expect(200);
    assert_eq!(
        app.get("/tags/timely").await.expect(200).body["post_count"],
        1
    );
    assert_eq!(app.get("/posts").await.expect(200).body["total"], 1);
}

async fn unpublishing_hides_a_post_again(app: TestApp) {
    let post = app.publish("Back and forth", &["Toggle"]).await;
    let path = format!("/posts/{}", post["id"]);
    let published_at = post["published_at"].clone();
    let draft = app
        .admin_patch(&path, json!({"status": "draft"}))
        .await
        .expect(200)
        .body;
    // The date stays, for when the post is published again.
    assert_eq!(draft["published_at"], published_at);
    app.get(&path).await.expect_problem(404);
    assert_eq!(
        app.get("/tags/toggle").await.expect(200).body["post_count"],
        0
    );

    let republished = app
        .admin_patch(&path, json!({"status": "published"}))
        .await
        .expect(200)
        .body;
    assert_eq!(republished["published_at"], published_at);
    app.get(&path).await.expect(200);
}

async fn tokio_sleep(seconds: u64) {
    actix_web::rt::time::sleep(std::time::Duration::from_secs(seconds)).await;
}
