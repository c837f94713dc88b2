//! Every list links its pages (`Link`, RFC 8288) and says its total
//! (`X-Total-Count`).

use crate::helpers::TestApp;

crate::on_both_backends!(lists_link_their_pages_and_count_them,);

async fn lists_link_their_pages_and_count_them(app: TestApp) {
    for n in 0..5 {
        app.publish(&format!("Post {n}"), &["Rust"]).await;
    }
    let middle = app
        .get("/posts?tag=rust&per_page=2&page=2")
        .await
        .expect(200);
    assert_eq!(middle.header("x-total-count"), Some("5"));
    assert_eq!(
        middle.header("link"),
        Some(
            "</api/v1/posts?tag=rust&per_page=2&page=1>; rel=\"first\", \
             </api/v1/posts?tag=rust&per_page=2&page=1>; rel=\"prev\", \
             </api/v1/posts?tag=rust&per_page=2&page=3>; rel=\"next\", \
             </api/v1/posts?tag=rust&per_page=2&page=3>; rel=\"last\""
        )
    );
    let first = app.get("/tags/rust/posts?per_page=2").await.expect(200);
    assert_eq!(first.header("x-total-count"), Some("5"));
    let link = first.header("link").unwrap();
    assert!(!link.contains("rel=\"prev\""), "{link}");
    assert!(link.contains("</api/v1/tags/rust/posts?per_page=2&page=2>; rel=\"next\""));
    for path in ["/tags", "/authors", "/authors/owner/posts"] {
        let reply = app.get(path).await.expect(200);
        let total = reply.body["total"].to_string();
        assert_eq!(
            reply.header("x-total-count"),
            Some(total.as_str()),
            "{path}"
        );
        assert!(
            reply.header("link").unwrap().contains("rel=\"last\""),
            "{path}"
        );
    }
    for path in ["/users", "/keys"] {
        let reply = app.admin_get(path).await.expect(200);
        let total = reply.body["total"].to_string();
        assert_eq!(
            reply.header("x-total-count"),
            Some(total.as_str()),
            "{path}"
        );
    }
    // Nothing to link to: no Link, a total of 0.
    let none = app.get("/posts?tag=nothing").await.expect(200);
    assert_eq!(none.header("x-total-count"), Some("0"));
    assert_eq!(none.header("link"), None);
}
