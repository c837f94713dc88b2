//! Two servers on one database share one outbox: each event is delivered
//! once, whichever server recorded it and whichever sends it.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;

use crate::helpers::TestApp;
use crate::receiver::Receiver;
use crate::webhooks::subscribe;

crate::on_both_backends!(two instances;
    each_event_is_delivered_once_by_one_of_two_instances,
);

async fn each_event_is_delivered_once_by_one_of_two_instances(a: TestApp, b: TestApp) {
    let receiver = Receiver::start(&[]);
    subscribe(&a, &receiver, &["post.published", "post.updated"]).await;
    let mut ids = Vec::new();
    for round in 0..6 {
        let (writer, other) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let post = writer.publish(&format!("Post {round}"), &[]).await;
        other
            .admin_patch(
                &format!("/posts/{}", post["id"]),
                json!({"excerpt": "Edited"}),
            )
            .await
            .expect(200);
        ids.push(post["id"].as_i64().unwrap());
    }
    receiver.wait_for(12, Duration::from_secs(10)).await;
    // Both servers look at the outbox every second: give them time to
    // send anything twice.
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    let received = receiver.received();
    assert_eq!(received.len(), 12, "{received:#?}");
    let distinct: HashSet<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(distinct.len(), 12);
    for id in ids {
        for event in ["post.published", "post.updated"] {
            let sent = received
                .iter()
                .filter(|r| r.event == event && r.body["data"]["id"] == id)
                .count();
            assert_eq!(sent, 1, "{event} of post {id}");
        }
    }
}
