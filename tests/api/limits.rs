//! The limits that protect the service, each at and just past its edge:
//! body size, page sizes, search and filter lengths, the number of tag
//! filters, header size, and clients that send too slowly.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use blog_backend::config::Config;
use serde_json::json;

use crate::helpers::{TOKEN, TestApp};

/// Small limits, so that the edges are quick to reach.
const BODY_LIMIT: usize = 4096;
const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
const BODY_TIMEOUT: Duration = Duration::from_secs(1);

fn tight_limits(config: &mut Config) {
    config.max_body_bytes = BODY_LIMIT;
    config.header_timeout = HEADER_TIMEOUT;
    config.body_timeout = BODY_TIMEOUT;
}

crate::on_both_backends!(
    configured by tight_limits;
    the_body_limit_is_the_configured_one,
    page_sizes_are_capped,
    searches_and_tag_filters_are_bounded,
    oversized_headers_are_refused,
    slow_headers_are_cut_off,
    slow_bodies_are_cut_off,
);

async fn the_body_limit_is_the_configured_one(app: TestApp) {
    // The JSON around the body takes 40 bytes or so.
    let under = json!({"title": "Fits", "body": "x".repeat(BODY_LIMIT - 100)});
    app.admin_post("/posts", under).await.expect(201);
    let over = json!({"title": "Too big", "body": "x".repeat(BODY_LIMIT)});
    let reply = app.admin_post("/posts", over).await.expect_problem(413);
    assert_eq!(
        reply.body["detail"],
        "the request body is larger than the limit"
    );
    // Nothing of the refused post was kept.
    let drafts = app.admin_get("/posts?q=too%20big").await.expect(200);
    assert_eq!(drafts.body["total"], 0);
}

async fn page_sizes_are_capped(app: TestApp) {
    app.publish("Tagged", &["rust"]).await;
    for (path, cap) in [("/posts", 100), ("/tags", 200), ("/tags/rust/posts", 100)] {
        let at_cap = app.get(&format!("{path}?per_page={cap}")).await.expect(200);
        assert_eq!(at_cap.body["per_page"], cap);
        let reply = app
            .get(&format!("{path}?per_page={}", cap + 1))
            .await
            .expect_problem(400);
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("per_page") && detail.contains(&cap.to_string()),
            "{detail}"
        );
    }
}

async fn searches_and_tag_filters_are_bounded(app: TestApp) {
    // Post search: 200 characters (not bytes).
    app.get(&format!("/posts?q={}", "é".repeat(200)))
        .await
        .expect(200);
    let reply = app
        .get(&format!("/posts?q={}", "é".repeat(201)))
        .await
        .expect_problem(400);
    assert!(reply.body["detail"].as_str().unwrap().contains("`q`"));

    // Tag autocomplete: as long as the longest tag name.
    app.get(&format!("/tags?q={}", "a".repeat(50)))
        .await
        .expect(200);
    app.get(&format!("/tags?q={}", "a".repeat(51)))
        .await
        .expect_problem(400);

    // At most 10 tag filters of each kind, each a slug of at most 200.
    for name in ["tag", "tag_any", "tag_not"] {
        let filters = |count: usize| {
            (0..count)
                .map(|i| format!("{name}=t{i}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        app.get(&format!("/posts?{}", filters(10)))
            .await
            .expect(200);
        let reply = app
            .get(&format!("/posts?{}", filters(11)))
            .await
            .expect_problem(400);
        assert!(
            reply.body["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("`{name}`")),
            "{}",
            reply.body
        );
        app.get(&format!("/posts?{name}={}", "a".repeat(200)))
            .await
            .expect(200);
        app.get(&format!("/posts?{name}={}", "a".repeat(201)))
            .await
            .expect_problem(400);
    }
}

/// The request head (request line and headers) is capped by actix-http at
/// 128 KiB and 96 headers; past either, 431 and the connection is closed.
async fn oversized_headers_are_refused(app: TestApp) {
    let head = |headers: &str| {
        format!("GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{headers}\r\n")
    };
    let padding = |bytes: usize| format!("X-Padding: {}\r\n", "x".repeat(bytes));
    let many = |count: usize| {
        (0..count)
            .map(|i| format!("X-{i}: 1\r\n"))
            .collect::<String>()
    };

    for (headers, status) in [
        (padding(100 * 1024), "200"),
        (padding(128 * 1024), "431"),
        (many(90), "200"),
        (many(96), "431"),
    ] {
        let answer = exchange(&app, vec![(head(&headers).into_bytes(), Duration::ZERO)]).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{} bytes of headers: {answer}",
            headers.len()
        );
    }
    // The server is none the worse for it.
    app.get("/healthz").await.expect(200);
}

async fn slow_headers_are_cut_off(app: TestApp) {
    let answer = exchange(
        &app,
        vec![
            (b"GET /healthz HTTP/1.1\r\n".to_vec(), Duration::ZERO),
            (b"Host: test\r\n\r\n".to_vec(), HEADER_TIMEOUT * 3),
        ],
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    app.get("/healthz").await.expect(200);
}

async fn slow_bodies_are_cut_off(app: TestApp) {
    let body = br#"{"title": "Sent slowly"}"#;
    let head = format!(
        "POST /api/v1/posts HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let answer = exchange(
        &app,
        vec![
            (head.into_bytes(), Duration::ZERO),
            (body[..10].to_vec(), Duration::ZERO),
            (body[10..].to_vec(), BODY_TIMEOUT * 3),
        ],
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(
        answer.contains("the request body did not arrive within 1 s"),
        "{answer}"
    );
    // The post was not created.
    let posts = app.admin_get("/posts").await.expect(200);
    assert_eq!(posts.body["total"], 0);
}

/// Sends each part after its pause on one raw connection and returns what
/// the server answered until it closed the connection (or went quiet).
async fn exchange(app: &TestApp, parts: Vec<(Vec<u8>, Duration)>) -> String {
    let address = app.base.trim_start_matches("http://").to_owned();
    actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        for (part, pause) in parts {
            std::thread::sleep(pause);
            // The server may have hung up already; what it said is read below.
            if stream.write_all(&part).is_err() {
                break;
            }
        }
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}
