//! Database outages on PostgreSQL, played through a proxy the test cuts:
//! requests answer 503 problem+json in bounded time, `/readyz` says so, and
//! the service recovers by itself when the database is back.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use blog_backend::config::Config;
use blog_backend::db::DatabaseUrl;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, Reply, TestApp, postgres_admin_url, run_with, send};
use crate::proxy::Proxy;

/// How long a request waits for a connection before it is refused.
const POOL_TIMEOUT: Duration = Duration::from_secs(2);
/// Far beyond the pool timeout: a request slower than this has hung.
const HANG: Duration = Duration::from_secs(15);
const OUTAGES: usize = 3;

/// `host:port` of a `postgres://user@host:port/db` URL.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// The same URL, reaching the database through `proxy`.
fn through(url: &str, proxy: SocketAddr) -> DatabaseUrl {
    DatabaseUrl::parse(&url.replacen(authority(url), &proxy.to_string(), 1)).unwrap()
}

/// A proxy in front of PostgreSQL, and the configuration change that sends
/// the server through it with a short pool timeout.
fn behind_a_proxy() -> (Arc<Proxy>, impl FnOnce(&mut Config)) {
    let proxy = Arc::new(Proxy::start(authority(&postgres_admin_url())));
    let address = proxy.address();
    let adjust = move |config: &mut Config| {
        config.database_url = through(config.database_url.as_str(), address);
        config.pool_timeout = POOL_TIMEOUT;
    };
    (proxy, adjust)
}

#[actix_web::test]
async fn postgres_outages_answer_503_and_the_service_recovers() {
    let (proxy, adjust) = behind_a_proxy();
    let test = |app: TestApp| async move {
        let post = app.publish("Survives outages", &["Resilience"]).await;
        let post_path = format!("/posts/{}", post["id"]);
        for outage in 1..=OUTAGES {
            proxy.cut();
            for (method, path) in [
                (Method::GET, "/readyz"),
                (Method::GET, post_path.as_str()),
                (Method::GET, "/tags"),
                (Method::POST, "/posts"),
            ] {
                let reply = timed(&app, method.clone(), path).await;
                reply.expect_problem(503);
            }
            proxy.restore();
            wait_until_ready(&app, outage).await;
            app.get(&post_path).await.expect(200);
            app.admin_post("/posts", json!({"title": format!("After outage {outage}")}))
                .await
                .expect(201);
        }
    };
    run_with(Backend::Postgres, adjust, test).await;
}

/// Connections closed while they sat idle in the pool (a database restart,
/// an idle timeout, an operator) are found and replaced before a request
/// uses them: nobody sees the outage.
#[actix_web::test]
async fn connections_closed_while_idle_are_replaced_unseen() {
    let (proxy, adjust) = behind_a_proxy();
    let test = |app: TestApp| async move {
        let post = app
            .publish("Outlives its connections", &["Resilience"])
            .await;
        let post_path = format!("/posts/{}", post["id"]);
        for _ in 0..3 {
            proxy.cut();
            proxy.restore();
            // Longer than a connection that just answered is trusted unpinged.
            actix_web::rt::time::sleep(Duration::from_secs(1)).await;
            for path in ["/readyz", "/tags", post_path.as_str()] {
                send(app.request(Method::GET, path).timeout(HANG))
                    .await
                    .expect(200);
            }
        }
    };
    run_with(Backend::Postgres, adjust, test).await;
}

/// Requests in flight when the connection drops answer 200 or 503, never
/// 500 and never a hang.
#[actix_web::test]
async fn requests_in_flight_when_postgres_goes_away_answer_503() {
    let (proxy, adjust) = behind_a_proxy();
    let test = |app: TestApp| async move {
        for i in 0..5 {
            app.publish(&format!("Post {i}"), &["a", "b", "c"]).await;
        }
        let load = (0..8).map(|_| {
            let app = app.clone();
            actix_web::rt::spawn(async move {
                let mut statuses = Vec::new();
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(5) {
                    let reply = timed(&app, Method::GET, "/tags").await;
                    statuses.push(reply.status);
                }
                statuses
            })
        });
        let load: Vec<_> = load.collect();
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        // Longer than the pool waits, so that some requests give up.
        proxy.cut();
        actix_web::rt::time::sleep(POOL_TIMEOUT + Duration::from_secs(1)).await;
        proxy.restore();
        let mut seen = Vec::new();
        for task in load {
            seen.extend(task.await.unwrap());
        }
        let mut counts = std::collections::BTreeMap::new();
        for status in &seen {
            *counts.entry(status.as_u16()).or_insert(0) += 1;
        }
        assert!(
            counts.keys().all(|status| matches!(status, 200 | 503)),
            "responses by status: {counts:?}"
        );
        assert!(
            seen.contains(&StatusCode::SERVICE_UNAVAILABLE),
            "the cut was felt"
        );
        wait_until_ready(&app, 1).await;
    };
    run_with(Backend::Postgres, adjust, test).await;
}

/// Sends an admin request, failing if it hangs; an outage's problem body
/// must say nothing of the database's address or its driver's messages.
async fn timed(app: &TestApp, method: Method, path: &str) -> Reply {
    let mut request = app.admin(method, path).timeout(HANG);
    if path == "/posts" {
        request = request.json(&json!({"title": "During an outage"}));
    }
    let reply = send(request).await;
    if reply.status == StatusCode::SERVICE_UNAVAILABLE {
        assert_eq!(reply.header("retry-after"), Some("1"));
        assert_eq!(
            reply.body["detail"],
            "the database is unavailable; try again shortly"
        );
    }
    reply
}

/// Polls `/readyz` until the service has reconnected by itself.
async fn wait_until_ready(app: &TestApp, outage: usize) {
    let started = Instant::now();
    loop {
        let reply = send(app.request(Method::GET, "/readyz").timeout(HANG)).await;
        if reply.status == StatusCode::OK {
            return;
        }
        assert!(
            started.elapsed() < HANG,
            "not ready again after outage {outage}: {}",
            reply.body
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}
