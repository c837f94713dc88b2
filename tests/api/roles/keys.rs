//! The keys row of the role table: everyone manages their own personal
//! keys; administrators see and revoke everyone's.

use reqwest::Method;
use serde_json::json;

use super::{Member, check};
use crate::helpers::TestApp;

pub(super) async fn manages_keys(app: &TestApp, member: &Member) {
    let owners = app
        .admin_post("/keys", json!({"name": "the owner's"}))
        .await
        .expect(201);
    let owners = owners.body["id"].as_i64().unwrap();
    let own = member
        .call(app, Method::POST, "/keys", Some(json!({"name": "mine"})))
        .await
        .expect(201);
    let own = own.body["id"].as_i64().unwrap();

    let listed = member
        .call(app, Method::GET, "/keys", None)
        .await
        .expect(200);
    let names: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| key["name"].as_str().unwrap())
        .collect();
    match member.role {
        "administrator" => {
            assert_eq!(names.len(), 2, "everyone's: {names:?}");
            assert!(listed.body["items"][0]["user"]["slug"].is_string());
        }
        _ => assert_eq!(names, ["mine"]),
    }
    // Another user's key: not theirs to see, so not found; an
    // administrator revokes it.
    let path = format!("/keys/{owners}");
    let reply = member.call(app, Method::DELETE, &path, None).await;
    check(reply, member.expects([404, 404, 404, 204]));
    let left = app.admin_get("/keys").await.expect(200).body["total"].clone();
    assert_eq!(left, member.expects([2, 2, 2, 1]));
    let path = format!("/keys/{own}");
    check(member.call(app, Method::DELETE, &path, None).await, 204);
}
