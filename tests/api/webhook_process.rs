//! Webhooks through the real binary: an event recorded before the server
//! is killed mid-delivery is delivered after it starts again, and the log
//! tells of a failed attempt without ever holding the secret.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{Backend, TOKEN, TestDatabase};
use crate::process::ServerProcess;
use crate::receiver::Receiver;
use crate::webhooks::verifies;

#[test]
fn sqlite_an_event_outlives_a_killed_server() {
    outlives_a_kill(Backend::Sqlite);
}

#[test]
fn postgres_an_event_outlives_a_killed_server() {
    outlives_a_kill(Backend::Postgres);
}

const SECRET: &str = "a-webhook-secret-never-to-log";

fn outlives_a_kill(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    actix_web::rt::System::new().block_on(async move {
        // The first attempt is refused, the second never answered: the
        // server is killed while it waits.
        let receiver = Receiver::start(&[500, 0]);
        let mut server = ServerProcess::start(&database);
        let client = reqwest::Client::new();
        let url = |server: &ServerProcess, path: &str| format!("{}/api/v1{path}", server.base());
        let created = client
            .post(url(&server, "/webhooks"))
            .bearer_auth(TOKEN)
            .json(&json!({"url": receiver.url, "events": ["*"], "secret": SECRET}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let published = client
            .post(url(&server, "/posts"))
            .bearer_auth(TOKEN)
            .json(&json!({"title": "Survives", "status": "published"}))
            .send()
            .await
            .unwrap();
        assert_eq!(published.status(), 201);
        receiver.wait_for(1, Duration::from_secs(5)).await;
        // The retry, about 10 s on, is never answered.
        receiver.wait_for(2, Duration::from_secs(20)).await;
        let log = server.log();
        assert!(
            log.lines().any(|line| line.contains("WARN")
                && line.contains("webhook 1 delivery")
                && line.contains("500")),
            "a failed attempt is logged:\n{log}"
        );
        server.kill();
        assert!(!log.contains(SECRET), "the secret is never logged");

        let server = ServerProcess::start(&database);
        // Its claim lapses 15 s after it was made; then the delivery goes
        // again, as the same delivery.
        let received = receiver.wait_for(3, Duration::from_secs(30)).await;
        assert_eq!(received[2].id, received[0].id);
        assert!(verifies(SECRET, &received[2]));
        assert_eq!(received[2].body["data"]["title"], "Survives");
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        let deliveries: serde_json::Value = client
            .get(url(&server, "/webhooks/1/deliveries"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(deliveries["items"][0]["state"], "delivered");
        assert_eq!(
            deliveries["items"][0]["attempts"], 2,
            "the killed attempt was never recorded"
        );
        assert!(!server.log().contains(SECRET));
    });
}
