//! `PATCH /posts/{id}`: each row of the three-state table, atomicity, and
//! `If-Match`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, send, tag_names};

crate::on_both_backends!(
    tags_absent_leaves_them,
    tags_null_is_refused_and_changes_nothing,
    tags_empty_detaches_all_and_the_tags_remain,
    tags_list_replaces_in_order,
    excerpt_absent_null_and_value,
    published_at_absent_null_and_value,
    non_nullable_fields_refuse_null,
    unknown_fields_are_refused_and_change_nothing,
    a_bad_tag_in_the_list_changes_nothing,
    publishing_an_undated_post_dates_it,
    etags_change_with_the_post_and_if_match_guards_updates,
    if_none_match_answers_not_modified,
    patching_an_unknown_post_is_404,
);

async fn seeded(app: &TestApp) -> (String, Value) {
    let post = app
        .create_post(json!({
            "title": "Original", "body": "text", "excerpt": "ex",
            "published_at": "2026-03-01T00:00:00Z", "tags": ["One", "Two"],
        }))
        .await;
    (format!("/posts/{}", post["id"]), post)
}

async fn tags_absent_leaves_them(app: TestApp) {
    let (path, _) = seeded(&app).await;
    let post = app
        .admin_patch(&path, json!({"title": "New"}))
        .await
        .expect(200)
        .body;
    assert_eq!(post["title"], "New");
    assert_eq!(tag_names(&post), ["One", "Two"]);
}

async fn tags_null_is_refused_and_changes_nothing(app: TestApp) {
    let (path, before) = seeded(&app).await;
    let reply = app
        .admin_patch(&path, json!({"title": "Changed", "tags": null}))
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["tags"].is_array());
    assert_eq!(app.admin_get(&path).await.expect(200).body, before);
}

async fn tags_empty_detaches_all_and_the_tags_remain(app: TestApp) {
    let (path, _) = seeded(&app).await;
    let post = app
        .admin_patch(&path, json!({"tags": []}))
        .await
        .expect(200)
        .body;
    assert_eq!(post["tags"], json!([]));
    for slug in ["one", "two"] {
        let tag = app
            .admin_get(&format!("/tags/{slug}"))
            .await
            .expect(200)
            .body;
        assert_eq!(tag["total_count"], 0);
    }
}

async fn tags_list_replaces_in_order(app: TestApp) {
    let (path, before) = seeded(&app).await;
    let post = app
        .admin_patch(&path, json!({"tags": ["Three", "two", "THREE", "Four"]}))
        .await
        .expect(200)
        .body;
    assert_eq!(tag_names(&post), ["Three", "Two", "Four"]);
    assert_eq!(post["tags"][1]["id"], before["tags"][1]["id"]);
    assert_eq!(
        tag_names(&app.admin_get(&path).await.expect(200).body),
        ["Three", "Two", "Four"]
    );
    assert_eq!(
        app.admin_get("/tags/one").await.expect(200).body["total_count"],
        0
    );

    // Kept tags move to their new places; their counts stay.
    let reordered = app
        .admin_patch(&path, json!({"tags": ["four", "Three", "Two"]}))
        .await
        .expect(200)
        .body;
    assert_eq!(tag_names(&reordered), ["Four", "Three", "Two"]);
    assert_eq!(
        tag_names(&app.admin_get(&path).await.expect(200).body),
        ["Four", "Three", "Two"]
    );
    for slug in ["two", "three", "four"] {
        let tag = app.admin_get(&format!("/tags/{slug}")).await.expect(200);
        assert_eq!(tag.body["total_count"], 1, "{slug}");
    }
}

async fn excerpt_absent_null_and_value(app: TestApp) {
    let (path, _) = seeded(&app).await;
    let kept = app
        .admin_patch(&path, json!({"body": "new"}))
        .await
        .expect(200)
        .body;
    assert_eq!(kept["excerpt"], "ex");
    let set = app
        .admin_patch(&path, json!({"excerpt": "another"}))
        .await
        .expect(200)
        .body;
    assert_eq!(set["excerpt"], "another");
    let cleared = app
        .admin_patch(&path, json!({"excerpt": null}))
        .await
        .expect(200)
        .body;
    assert!(cleared["excerpt"].is_null());
    let long = app
        .admin_patch(&path, json!({"excerpt": "x".repeat(501)}))
        .await
        .expect_problem(422);
    assert!(long.body["errors"]["excerpt"].is_array());
}

async fn published_at_absent_null_and_value(app: TestApp) {
    let (path, _) = seeded(&app).await;
    let kept = app
        .admin_patch(&path, json!({"title": "T"}))
        .await
        .expect(200)
        .body;
    assert_eq!(kept["published_at"], "2026-03-01T00:00:00Z");
    let set = app
        .admin_patch(&path, json!({"published_at": "2026-04-01T12:30:00.250Z"}))
        .await
        .expect(200)
        .body;
    assert_eq!(set["published_at"], "2026-04-01T12:30:00.250Z");
    let cleared = app
        .admin_patch(&path, json!({"published_at": null}))
        .await
        .expect(200)
        .body;
    assert!(cleared["published_at"].is_null());
    let bad = app
        .admin_patch(&path, json!({"published_at": "yesterday"}))
        .await
        .expect_problem(422);
    assert!(bad.body["errors"]["published_at"].is_array());
}

async fn non_nullable_fields_refuse_null(app: TestApp) {
    let (path, before) = seeded(&app).await;
    for field in ["title", "body", "slug", "status"] {
        let reply = app
            .admin_patch(&path, json!({ field: null }))
            .await
            .expect_problem(422);
        assert!(
            reply.body["errors"][field].is_array(),
            "{field}: {}",
            reply.body
        );
    }
    let several = app
        .admin_patch(
            &path,
            json!({"title": "", "status": "archived", "slug": "Bad Slug"}),
        )
        .await
        .expect_problem(422);
    let errors = several.body["errors"].as_object().unwrap();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(app.admin_get(&path).await.expect(200).body, before);
}

async fn unknown_fields_are_refused_and_change_nothing(app: TestApp) {
    let (path, before) = seeded(&app).await;
    let reply = app
        .admin_patch(&path, json!({"title": "Changed", "tag": ["x"]}))
        .await
        .expect_problem(422);
    assert!(
        reply.body["errors"]["tag"][0]
            .as_str()
            .unwrap()
            .contains("unknown field")
    );
    assert_eq!(app.admin_get(&path).await.expect(200).body, before);

    app.admin_post("/posts", json!({"title": "x", "tittle": "y"}))
        .await
        .expect_problem(422);
}

async fn a_bad_tag_in_the_list_changes_nothing(app: TestApp) {
    let (path, before) = seeded(&app).await;
    let reply = app
        .admin_patch(
            &path,
            json!({"title": "Changed", "tags": ["Fine", "x".repeat(51)]}),
        )
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["tags[1]"].is_array());
    assert_eq!(app.admin_get(&path).await.expect(200).body, before);
    app.get("/tags/fine").await.expect_problem(404);
}

async fn publishing_an_undated_post_dates_it(app: TestApp) {
    let post = app.create_post(json!({"title": "Undated"})).await;
    let path = format!("/posts/{}", post["id"]);
    let published = app
        .admin_patch(&path, json!({"status": "published"}))
        .await
        .expect(200)
        .body;
    assert!(published["published_at"].is_string());
    app.get(&path).await.expect(200);

    // Clearing the date of a published post dates it now rather than
    // leaving a published post that can never be seen.
    let cleared = app
        .admin_patch(&path, json!({"published_at": null}))
        .await
        .expect(200)
        .body;
    assert!(cleared["published_at"].is_string());
}

async fn etags_change_with_the_post_and_if_match_guards_updates(app: TestApp) {
    let (path, _) = seeded(&app).await;
    let first = app.admin_get(&path).await.expect(200);
    let etag = first.header("etag").unwrap().to_owned();

    let updated = send(
        app.admin(Method::PATCH, &path)
            .header("If-Match", &etag)
            .json(&json!({"title": "Guarded"})),
    )
    .await
    .expect(200);
    let new_etag = updated.header("etag").unwrap().to_owned();
    assert_ne!(new_etag, etag);
    assert_eq!(
        app.admin_get(&path).await.header("etag"),
        Some(new_etag.as_str())
    );

    // The old ETag no longer matches: 412, nothing changed.
    let stale = send(
        app.admin(Method::PATCH, &path)
            .header("If-Match", &etag)
            .json(&json!({"title": "Lost update"})),
    )
    .await
    .expect_problem(412);
    assert!(stale.body["detail"].is_string());
    assert_eq!(app.admin_get(&path).await.body["title"], "Guarded");
    // Changes of status and date are guarded alike.
    send(
        app.admin(Method::PATCH, &path)
            .header("If-Match", &etag)
            .json(&json!({"status": "published", "tags": ["Lost"]})),
    )
    .await
    .expect_problem(412);
    let kept = app.admin_get(&path).await.body;
    assert_eq!(kept["status"], "draft");
    assert_eq!(tag_names(&kept), ["One", "Two"]);

    for matching in ["*".to_owned(), format!("\"nope\", {new_etag}")] {
        let matching = matching.replace(
            &new_etag,
            app.admin_get(&path).await.header("etag").unwrap(),
        );
        send(
            app.admin(Method::PATCH, &path)
                .header("If-Match", matching)
                .json(&json!({"body": "again"})),
        )
        .await
        .expect(200);
    }
    // Weak tags never match If-Match.
    let current = app
        .admin_get(&path)
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    send(
        app.admin(Method::PATCH, &path)
            .header("If-Match", format!("W/{current}"))
            .json(&json!({"body": "weak"})),
    )
    .await
    .expect_problem(412);

    // Tag changes change the ETag too.
    let retagged = app
        .admin_patch(&path, json!({"tags": ["Other"]}))
        .await
        .expect(200);
    assert_ne!(retagged.header("etag"), Some(current.as_str()));
}

async fn if_none_match_answers_not_modified(app: TestApp) {
    let post = app.publish("Cached", &[]).await;
    let path = format!("/posts/{}", post["id"]);
    let etag = app.get(&path).await.header("etag").unwrap().to_owned();
    let cached = send(
        app.request(Method::GET, &path)
            .header("If-None-Match", &etag),
    )
    .await;
    assert_eq!(cached.status.as_u16(), 304);
    assert_eq!(cached.header("etag"), Some(etag.as_str()));
    app.admin_patch(&path, json!({"title": "Changed"}))
        .await
        .expect(200);
    send(
        app.request(Method::GET, &path)
            .header("If-None-Match", &etag),
    )
    .await
    .expect(200);
}

async fn patching_an_unknown_post_is_404(app: TestApp) {
    app.admin_patch("/posts/424242", json!({"title": "x"}))
        .await
        .expect_problem(404);
    // Whatever it is expected to match.
    for change in [json!({"title": "x"}), json!({"status": "draft"})] {
        send(
            app.admin(Method::PATCH, "/posts/424242")
                .header("If-Match", "\"1\"")
                .json(&change),
        )
        .await
        .expect_problem(404);
    }
}
