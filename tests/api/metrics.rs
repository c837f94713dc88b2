//! `GET /metrics`: the Prometheus text format, requests counted by route
//! pattern (never by raw path), no token needed, no secret shown; with
//! `METRICS_BIND`, served there alone.

use blog_backend::config::Config;

use crate::helpers::{TOKEN, TestApp};

crate::on_both_backends!(requests_are_counted_by_route_pattern_and_status);

mod apart {
    use super::*;
    crate::on_both_backends!(configured by metrics_apart; metrics_bind_serves_them_apart_alone);
}

async fn text(app: &TestApp, base: &str) -> (u16, String) {
    let response = app
        .client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn requests_are_counted_by_route_pattern_and_status(app: TestApp) {
    let post = app.publish("Counted", &["Metrics"]).await;
    app.get(&format!("/posts/{}", post["id"])).await.expect(200);
    app.get("/posts/999999").await.expect(404);
    app.get("/no/such/path/secret-looking-123")
        .await
        .expect(404);

    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "no token needed");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    for line in [
        r#"blog_http_requests_total{method="GET",route="/api/v1/posts/{id}",status="200"} 1"#,
        r#"blog_http_requests_total{method="GET",route="/api/v1/posts/{id}",status="404"} 1"#,
        r#"blog_http_requests_total{method="POST",route="/api/v1/posts",status="201"} 1"#,
        r#"blog_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    for name in [
        "blog_http_request_duration_seconds_bucket",
        "blog_db_pool_connections ",
        "blog_db_pool_connections_in_use ",
        "blog_db_pool_waiting ",
        "blog_tag_count_recounts_total 1",
        "blog_tag_count_applications_total ",
        "blog_cache_reads_total{from=\"database\"}",
    ] {
        assert!(text.contains(name), "{name} in\n{text}");
    }
    assert!(!text.contains("secret-looking"), "paths are not labels");
    assert!(!text.contains(TOKEN), "no secret");
}

fn metrics_apart(config: &mut Config) {
    config.metrics_bind = Some("127.0.0.1:0".into());
}

async fn metrics_bind_serves_them_apart_alone(app: TestApp) {
    app.get("/tags").await.expect(200);
    let apart = app.metrics_base.clone().expect("a metrics address");
    let (status, text) = text(&app, &apart).await;
    assert_eq!(status, 200);
    assert!(
        text.contains(r#"route="/api/v1/tags",status="200"} 1"#),
        "{text}"
    );
    let (status, _) = text_of_api(&app).await;
    assert_eq!(status, 404, "not beside the API when served apart");
}

async fn text_of_api(app: &TestApp) -> (u16, String) {
    text(app, &app.base).await
}
