//! Posts: create, read, list, filters, trash, restore, delete.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, seconds_from_now, send, slugs, tag_names};

crate::on_both_backends!(
    create_answers_201_with_location_etag_and_the_post,
    a_new_post_is_a_draft_and_publishing_dates_it,
    slugs_come_from_the_title_and_clashes_get_a_suffix,
    an_explicit_slug_is_used_checked_and_reserved,
    the_title_does_not_move_the_slug,
    posts_are_found_by_id_and_by_slug,
    lists_page_through_posts_newest_first,
    lists_filter_by_all_tags_or_any_tag,
    tag_not_excludes_posts_and_combines_with_every_filter,
    search_is_a_case_insensitive_literal_substring,
    the_admin_filters_by_status,
    trash_restore_and_permanent_delete,
);

async fn create_answers_201_with_location_etag_and_the_post(app: TestApp) {
    let reply = app
        .admin_post(
            "/posts",
            json!({"title": "  Hello, Rust  ", "body": "# Hi", "excerpt": "short", "tags": ["Rust", "Web"]}),
        )
        .await
        .expect(201);
    let post = &reply.body;
    let id = post["id"].as_i64().expect("an integer id");
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/posts/{id}").as_str())
    );
    assert!(reply.header("etag").is_some_and(|tag| tag.starts_with('"')));
    assert_eq!(post["title"], "Hello, Rust");
    assert_eq!(post["slug"], "hello-rust");
    assert_eq!(post["body"], "# Hi");
    assert_eq!(post["excerpt"], "short");
    assert_eq!(tag_names(post), ["Rust", "Web"]);
    assert!(post["tags"][0]["id"].is_i64());
    assert_eq!(post["tags"][0]["slug"], "rust");
    for time in ["created_at", "updated_at"] {
        let text = post[time].as_str().unwrap();
        assert!(text.ends_with('Z'), "{time} is UTC: {text}");
        chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339");
    }
    assert!(post.get("deleted_at").is_none());

    // The Location leads to the same post.
    let fetched = app.admin_get(&format!("/posts/{id}")).await.expect(200);
    assert_eq!(fetched.body, reply.body);
}

async fn a_new_post_is_a_draft_and_publishing_dates_it(app: TestApp) {
    let draft = app.create_post(json!({"title": "Draft"})).await;
    assert_eq!(draft["status"], "draft");
    assert!(draft["published_at"].is_null());
    assert_eq!(draft["body"], "");
    assert!(draft["excerpt"].is_null());
    assert_eq!(draft["tags"], json!([]));

    let published = app
        .create_post(json!({"title": "Now", "status": "published"}))
        .await;
    let at =
        chrono::DateTime::parse_from_rfc3339(published["published_at"].as_str().unwrap()).unwrap();
    assert!((chrono::Utc::now() - at.to_utc()).num_seconds().abs() < 60);

    let dated = app
        .create_post(json!({"title": "Dated", "status": "published", "published_at": "2026-01-02T03:04:05+02:00"}))
        .await;
    assert_eq!(dated["published_at"], "2026-01-02T01:04:05Z");
}

async fn slugs_come_from_the_title_and_clashes_get_a_suffix(app: TestApp) {
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(app.create_post(json!({"title": "Same Title"})).await["slug"].clone());
    }
    assert_eq!(
        made,
        [
            json!("same-title"),
            json!("same-title-2"),
            json!("same-title-3")
        ]
    );

    let odd = app.create_post(json!({"title": "¿¡!?"})).await;
    assert_eq!(odd["slug"], "post");
    let unicode = app
        .create_post(json!({"title": "Übergrößenträger 日本語"}))
        .await;
    assert_eq!(unicode["slug"], "ubergrossentrager-ri-ben-yu");
}

async fn an_explicit_slug_is_used_checked_and_reserved(app: TestApp) {
    let post = app
        .create_post(json!({"title": "Anything", "slug": "my-own-slug"}))
        .await;
    assert_eq!(post["slug"], "my-own-slug");

    let clash = app
        .admin_post("/posts", json!({"title": "Other", "slug": "my-own-slug"}))
        .await
        .expect_problem(409);
    assert_eq!(clash.body["slug"], "my-own-slug");

    for bad in [
        "Has-Caps",
        "double--dash",
        "-lead",
        "trail-",
        "under_score",
        "ü",
    ] {
        let reply = app
            .admin_post("/posts", json!({"title": "Bad", "slug": bad}))
            .await
            .expect_problem(422);
        assert!(
            reply.body["errors"]["slug"].is_array(),
            "{bad}: {}",
            reply.body
        );
    }

    // A trashed post keeps its slug.
    let id = post["id"].as_i64().unwrap();
    app.admin_delete(&format!("/posts/{id}")).await.expect(204);
    app.admin_post("/posts", json!({"title": "Later", "slug": "my-own-slug"}))
        .await
        .expect_problem(409);
    let generated = app.create_post(json!({"title": "My own slug"})).await;
    assert_eq!(generated["slug"], "my-own-slug-2");
}

async fn the_title_does_not_move_the_slug(app: TestApp) {
    let post = app.create_post(json!({"title": "First Title"})).await;
    let id = post["id"].as_i64().unwrap();
    let renamed = app
        .admin_patch(&format!("/posts/{id}"), json!({"title": "Second Title"}))
        .await
        .expect(200);
    assert_eq!(renamed.body["title"], "Second Title");
    assert_eq!(renamed.body["slug"], "first-title");

    let moved = app
        .admin_patch(&format!("/posts/{id}"), json!({"slug": "second-title"}))
        .await
        .expect(200);
    assert_eq!(moved.body["slug"], "second-title");

    // Setting the slug it already has is no clash.
    app.admin_patch(&format!("/posts/{id}"), json!({"slug": "second-title"}))
        .await
        .expect(200);
    let other = app.create_post(json!({"title": "Other"})).await;
    let clash = app
        .admin_patch(
            &format!("/posts/{}", other["id"]),
            json!({"slug": "second-title"}),
        )
        .await
        .expect_problem(409);
    assert_eq!(clash.body["slug"], "second-title");
}

async fn posts_are_found_by_id_and_by_slug(app: TestApp) {
    let post = app.publish("Findable", &["x"]).await;
    let id = post["id"].as_i64().unwrap();
    let by_id = app.get(&format!("/posts/{id}")).await.expect(200);
    let by_slug = app.get("/posts/slug/findable").await.expect(200);
    assert_eq!(by_id.body, post);
    assert_eq!(by_slug.body, post);
    assert_eq!(by_id.header("etag"), by_slug.header("etag"));

    app.get("/posts/999999").await.expect_problem(404);
    app.get("/posts/slug/no-such-post")
        .await
        .expect_problem(404);
    app.admin_get("/posts/999999").await.expect_problem(404);
}

async fn lists_page_through_posts_newest_first(app: TestApp) {
    for day in 1..=5 {
        app.create_post(json!({
            "title": format!("Day {day}"),
            "status": "published",
            "published_at": format!("2026-01-0{day}T12:00:00Z"),
        }))
        .await;
    }
    let first = app.get("/posts?per_page=2").await.expect(200).body;
    assert_eq!(slugs(&first["items"]), ["day-5", "day-4"]);
    assert_eq!(first["page"], 1);
    assert_eq!(first["per_page"], 2);
    assert_eq!(first["total"], 5);
    assert_eq!(first["total_pages"], 3);

    let last = app.get("/posts?per_page=2&page=3").await.expect(200).body;
    assert_eq!(slugs(&last["items"]), ["day-1"]);

    let past_the_end = app.get("/posts?per_page=2&page=4").await.expect(200).body;
    assert_eq!(past_the_end["items"], json!([]));
    assert_eq!(past_the_end["total"], 5);

    let defaults = app.get("/posts").await.expect(200).body;
    assert_eq!(defaults["per_page"], 20);
    assert_eq!(defaults["page"], 1);

    let nothing = app
        .get("/posts?tag=nothing-has-this")
        .await
        .expect(200)
        .body;
    assert_eq!(nothing["total"], 0);
    assert_eq!(nothing["total_pages"], 0);
    assert_eq!(nothing["items"], json!([]));
}

async fn lists_filter_by_all_tags_or_any_tag(app: TestApp) {
    app.publish("Both", &["Rust", "Web"]).await;
    app.publish("Only Rust", &["rust"]).await;
    app.publish("Only Web", &["WEB"]).await;
    app.publish("Neither", &["Other"]).await;

    let both = app.get("/posts?tag=rust&tag=web").await.expect(200).body;
    assert_eq!(slugs(&both["items"]), ["both"]);
    assert_eq!(both["total"], 1);

    let mut any = slugs(
        &app.get("/posts?tag_any=rust&tag_any=web")
            .await
            .expect(200)
            .body["items"],
    );
    any.sort();
    assert_eq!(any, ["both", "only-rust", "only-web"]);

    let one = app.get("/posts?tag=rust").await.expect(200).body;
    assert_eq!(one["total"], 2);

    let combined = app
        .get("/posts?tag=web&tag_any=rust&tag_any=other")
        .await
        .expect(200)
        .body;
    assert_eq!(slugs(&combined["items"]), ["both"]);
}

async fn tag_not_excludes_posts_and_combines_with_every_filter(app: TestApp) {
    app.publish("Rust and Web", &["Rust", "Web"]).await;
    app.publish("Rust alone", &["Rust"]).await;
    app.publish("Web alone", &["Web", "#Hidden"]).await;
    app.publish("Untagged", &[]).await;
    let listed = |path: String| {
        let app = &app;
        async move {
            let body = app.get(&path).await.expect(200).body;
            let mut found = slugs(&body["items"]);
            found.sort();
            assert_eq!(body["total"], found.len(), "{path}");
            found
        }
    };
    assert_eq!(
        listed("/posts?tag_not=web".into()).await,
        ["rust-alone", "untagged"]
    );
    assert_eq!(
        listed("/posts?tag_not=web&tag_not=rust".into()).await,
        ["untagged"]
    );
    assert_eq!(
        listed("/posts?tag=rust&tag_not=web".into()).await,
        ["rust-alone"]
    );
    assert_eq!(
        listed("/posts?tag_any=rust&tag_any=web&tag_not=hash-hidden".into()).await,
        ["rust-alone", "rust-and-web"]
    );
    assert_eq!(
        listed("/posts?q=alone&tag_not=rust".into()).await,
        ["web-alone"]
    );
    let owner = app.get("/posts").await.body["items"][0]["author"]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        listed(format!("/posts?author={owner}&tag_not=rust&tag_not=web")).await,
        ["untagged"]
    );
    // A slug no tag has excludes nothing; a tag both wanted and excluded
    // leaves nothing.
    assert_eq!(listed("/posts?tag_not=nothing-here".into()).await.len(), 4);
    assert!(
        listed("/posts?tag=rust&tag_not=rust".into())
            .await
            .is_empty()
    );
    // Totals follow the posts' tags as they change.
    let untagged = app.get("/posts/slug/untagged").await.body;
    app.admin_post(
        &format!("/posts/{}/tags", untagged["id"]),
        json!({"tags": ["Web"]}),
    )
    .await
    .expect(200);
    assert_eq!(listed("/posts?tag_not=web".into()).await, ["rust-alone"]);
}

async fn search_is_a_case_insensitive_literal_substring(app: TestApp) {
    app.publish("Learning RUST the hard way", &[]).await;
    app.publish("Über Straße", &[]).await;
    app.publish("100% done_right", &[]).await;
    app.publish("1000 ways", &[]).await;
    app.publish("It's a back\\slash", &[]).await;

    let search = |q: &str| {
        let request = app.request(Method::GET, "/posts").query(&[("q", q)]);
        async move { slugs(&send(request).await.expect(200).body["items"]) }
    };
    assert_eq!(search("rust").await, ["learning-rust-the-hard-way"]);
    assert_eq!(search("ÜBER").await, ["uber-strasse"]);
    assert_eq!(search("0%").await, ["100-done-right"]);
    assert_eq!(search("e_r").await, ["100-done-right"]);
    assert_eq!(search("'s").await, ["it-s-a-back-slash"]);
    assert_eq!(search("k\\s").await, ["it-s-a-back-slash"]);
    assert!(search("%").await.len() == 1);
    assert!(search("nothing like this").await.is_empty());
}

async fn the_admin_filters_by_status(app: TestApp) {
    app.create_post(json!({"title": "A draft"})).await;
    app.publish("Live", &[]).await;
    app.create_post(
        json!({"title": "Soon", "status": "published", "published_at": seconds_from_now(3600)}),
    )
    .await;
    let trashed = app.publish("Gone", &[]).await;
    app.admin_delete(&format!("/posts/{}", trashed["id"]))
        .await
        .expect(204);

    let status = |s: &'static str| {
        let app = app.clone();
        async move {
            let mut found = slugs(
                &app.admin_get(&format!("/posts?status={s}"))
                    .await
                    .expect(200)
                    .body["items"],
            );
            found.sort();
            found
        }
    };
    assert_eq!(status("draft").await, ["a-draft"]);
    assert_eq!(status("published").await, ["live"]);
    assert_eq!(status("scheduled").await, ["soon"]);
    assert_eq!(status("deleted").await, ["gone"]);
    assert_eq!(status("all").await, ["a-draft", "live", "soon"]);

    let default = app.admin_get("/posts").await.expect(200).body;
    assert_eq!(default["total"], 3);
    // Posts never published lead the admin's list.
    assert_eq!(default["items"][0]["slug"], "a-draft");

    app.admin_get("/posts?status=archived")
        .await
        .expect_problem(400);
    // The public may ask for what it sees anyway, and for nothing else.
    assert_eq!(
        app.get("/posts?status=published").await.expect(200).body["total"],
        1
    );
    let refused = app.get("/posts?status=draft").await.expect_problem(401);
    assert!(refused.header("www-authenticate").is_some());
}

async fn trash_restore_and_permanent_delete(app: TestApp) {
    let post = app.publish("Short lived", &["keeper"]).await;
    let id = post["id"].as_i64().unwrap();
    let path = format!("/posts/{id}");

    let trashed = app.admin_delete(&path).await.expect(204);
    assert_eq!(trashed.body, serde_json::Value::Null);
    app.get(&path).await.expect_problem(404);
    let seen = app.admin_get(&path).await.expect(200).body;
    assert!(seen["deleted_at"].is_string());
    // Trashing again changes nothing.
    app.admin_delete(&path).await.expect(204);

    let restored = app
        .admin_post(&format!("{path}/restore"), json!(null))
        .await
        .expect(200)
        .body;
    assert!(restored.get("deleted_at").is_none());
    assert_eq!(app.get(&path).await.expect(200).body["slug"], "short-lived");

    app.admin_delete(&format!("{path}?permanent=true"))
        .await
        .expect(204);
    app.admin_get(&path).await.expect_problem(404);
    app.admin_delete(&path).await.expect_problem(404);
    app.admin_post(&format!("{path}/restore"), json!(null))
        .await
        .expect_problem(404);
    // The tag outlives the post.
    let tag = app.admin_get("/tags/keeper").await.expect(200).body;
    assert_eq!(tag["total_count"], 0);

    app.admin_delete("/posts/1?permanent=maybe")
        .await
        .expect_problem(400);
}
