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
        // A post due while the server is down.
        let due = (chrono::Utc::now() + chrono::Duration::seconds(1))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let scheduled = client
            .post(url(&server, "/posts"))
            .bearer_auth(TOKEN)
            .json(&json!({"title": "Slept through", "status": "published", "published_at": due}))
            .send()
            .await
            .unwrap();
        assert_eq!(scheduled.status(), 201);
        server.kill();
        assert!(!log.contains(SECRET), "the secret is never logged");
        actix_web::rt::time::sleep(Duration::from_secs(2)).await;

        let server = ServerProcess::start(&database);
        // The post that came due meanwhile goes at once; the killed
        // delivery's claim lapses 15 s after it was made, then it goes
        // again, as the same delivery.
        let received = receiver.wait_for(4, Duration::from_secs(30)).await;
        let again = received[2..]
            .iter()
            .find(|r| r.id == received[0].id)
            .expect("sent again");
        assert!(verifies(SECRET, again));
        assert_eq!(again.body["data"]["title"], "Survives");
        let slept = received[2..]
            .iter()
            .find(|r| r.id != received[0].id)
            .unwrap();
        assert_eq!(slept.event, "post.published");
        assert_eq!(slept.body["data"]["title"], "Slept through");
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
        let first = deliveries["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|delivery| delivery["id"] == received[0].id.as_str())
            .unwrap();
        assert_eq!(first["state"], "delivered");
        assert_eq!(
            first["attempts"], 2,
            "the killed attempt was never recorded"
        );
        assert!(!server.log().contains(SECRET));
    });
}
