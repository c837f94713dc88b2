//! Conditional GET across instances: behind a load balancer, every instance
//! names an answer by the same ETag, and a write through one changes it on
//! the others at once.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

crate::on_both_backends!(two instances;
    agree_on_etags_and_see_each_others_writes,
);

async fn etag(app: &TestApp, path: &str) -> String {
    let response = app.request(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.headers()["etag"].to_str().unwrap().to_owned()
}

async fn not_modified(app: &TestApp, path: &str, etag: &str) -> bool {
    let request = app.request(Method::GET, path).header("If-None-Match", etag);
    request.send().await.unwrap().status() == 304
}

async fn agree_on_etags_and_see_each_others_writes(a: TestApp, b: TestApp) {
    let post = a.publish("Shared", &["Rust"]).await;
    let paths = [
        format!("/posts/{}", post["id"]),
        "/posts".to_owned(),
        "/tags".to_owned(),
        "/tags/rust/posts".to_owned(),
        "/authors/owner".to_owned(),
        "/feeds/posts.atom".to_owned(),
    ];
    let mut before = Vec::new();
    for path in &paths {
        let from_a = etag(&a, path).await;
        assert_eq!(
            etag(&b, path).await,
            from_a,
            "{path}: one ETag on every instance"
        );
        // Twice: the second is told from what the first was answered.
        assert!(not_modified(&b, path, &from_a).await, "{path}");
        assert!(not_modified(&b, path, &from_a).await, "{path}");
        before.push(from_a);
    }
    // A write through A: B's very next answers are new.
    a.admin_patch(
        &format!("/posts/{}", post["id"]),
        json!({"title": "Shared, edited"}),
    )
    .await
    .expect(200);
    a.publish("Another", &["Rust"]).await;
    for (path, old) in paths.iter().zip(&before) {
        assert!(
            !not_modified(&b, path, old).await,
            "{path}: B still answers 304"
        );
        assert_eq!(etag(&b, path).await, etag(&a, path).await, "{path}");
    }
}
