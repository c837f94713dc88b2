//! Concurrent requests that race for the same new tags and slugs: every
//! request succeeds, and each tag and slug exists once.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{TestApp, tag_names};

crate::on_both_backends!(
    concurrent_creates_share_new_tags,
    concurrent_creates_with_one_title_get_distinct_slugs,
    concurrent_names_with_clashing_slugs_get_distinct_slugs,
    concurrent_tag_replacements_on_one_post_leave_one_list,
    deleting_a_tag_while_posts_attach_it_never_fails,
    renaming_a_tag_while_its_posts_change_never_fails,
);

const REQUESTS: usize = 10;

async fn concurrent_creates_share_new_tags(app: TestApp) {
    let creates = (0..REQUESTS).map(|i| {
        let app = app.clone();
        async move {
            let tags = json!([
                "Shared One",
                "shared two",
                format!("own {i}"),
                "SHARED THREE"
            ]);
            app.admin_post(
                "/posts",
                json!({"title": format!("Post {i}"), "status": "published", "tags": tags}),
            )
            .await
        }
    });
    let replies = join_all(creates).await;
    for reply in replies {
        let post = reply.expect(201).body;
        assert_eq!(tag_names(&post).len(), 4);
    }
    let tags = app.get("/tags?per_page=200").await.expect(200).body;
    assert_eq!(tags["total"], 3 + REQUESTS);
    for slug in ["shared-one", "shared-two", "shared-three"] {
        let tag = app.get(&format!("/tags/{slug}")).await.expect(200).body;
        assert_eq!(tag["post_count"], REQUESTS);
    }
}

async fn concurrent_creates_with_one_title_get_distinct_slugs(app: TestApp) {
    let creates = (0..REQUESTS).map(|_| {
        let app = app.clone();
        async move {
            app.admin_post("/posts", json!({"title": "Breaking News"}))
                .await
        }
    });
    let mut slugs: Vec<String> = join_all(creates)
        .await
        .into_iter()
        .map(|reply| reply.expect(201).body["slug"].as_str().unwrap().to_owned())
        .collect();
    slugs.sort();
    let mut expected: Vec<String> = std::iter::once("breaking-news".to_owned())
        .chain((2..=REQUESTS).map(|n| format!("breaking-news-{n}")))
        .collect();
    expected.sort();
    assert_eq!(slugs, expected);
}

async fn concurrent_names_with_clashing_slugs_get_distinct_slugs(app: TestApp) {
    // Distinct names, one slug: `cafe`.
    let names = ["Café", "Cafe", "CAFE!", "cafe?", "Cafè"];
    let creates = names.iter().enumerate().map(|(i, name)| {
        let app = app.clone();
        async move {
            app.admin_post("/posts", json!({"title": format!("P{i}"), "tags": [name]}))
                .await
        }
    });
    let mut slugs: Vec<String> = join_all(creates)
        .await
        .into_iter()
        .map(|reply| {
            reply.expect(201).body["tags"][0]["slug"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    slugs.sort();
    assert_eq!(slugs, ["cafe", "cafe-2", "cafe-3", "cafe-4", "cafe-5"]);
}

async fn concurrent_tag_replacements_on_one_post_leave_one_list(app: TestApp) {
    let post = app.create_post(json!({"title": "Contended"})).await;
    let path = format!("/posts/{}", post["id"]);
    let patches = (0..REQUESTS).map(|i| {
        let app = app.clone();
        let path = path.clone();
        async move {
            app.admin_patch(
                &path,
                json!({"tags": [format!("a{i}"), format!("b{i}"), "common"]}),
            )
            .await
        }
    });
    for reply in join_all(patches).await {
        reply.expect(200);
    }
    let final_tags = tag_names(&app.admin_get(&path).await.expect(200).body);
    assert_eq!(final_tags.len(), 3, "{final_tags:?}");
    assert_eq!(final_tags[2], "common");
    assert_eq!(
        final_tags[0][1..],
        final_tags[1][1..],
        "one request's list, not a mix: {final_tags:?}"
    );
}

async fn deleting_a_tag_while_posts_attach_it_never_fails(app: TestApp) {
    app.admin_post("/tags", json!({"name": "Volatile"}))
        .await
        .expect(201);
    let creates = (0..REQUESTS).map(|i| {
        let app = app.clone();
        async move {
            app.admin_post(
                "/posts",
                json!({"title": format!("P{i}"), "tags": ["Volatile"]}),
            )
            .await
            .status
            .as_u16()
        }
    });
    let deletes = (0..REQUESTS / 2).map(|_| {
        let app = app.clone();
        async move {
            app.admin_delete("/tags/volatile?force=true")
                .await
                .status
                .as_u16()
        }
    });
    let (created, deleted) = futures::join!(join_all(creates), join_all(deletes));
    assert!(created.iter().all(|&status| status == 201), "{created:?}");
    assert!(
        deleted.iter().all(|&status| status == 204 || status == 404),
        "{deleted:?}"
    );

    // Whatever the interleaving, every tag a post shows exists.
    let posts = app.admin_get("/posts?per_page=100").await.expect(200).body;
    for post in posts["items"].as_array().unwrap() {
        for tag in post["tags"].as_array().unwrap() {
            app.admin_get(&format!("/tags/{}", tag["slug"].as_str().unwrap()))
                .await
                .expect(200);
        }
    }
}

/// A post update locks the post, then its tags; a rename locks the tag,
/// then its posts. When the two cross, PostgreSQL breaks the deadlock by
/// aborting one, which the service runs again: every request succeeds.
async fn renaming_a_tag_while_its_posts_change_never_fails(app: TestApp) {
    let mut ids = Vec::new();
    for i in 0..4 {
        let post = app
            .create_post(json!({"title": format!("Carrier {i}"), "tags": ["Contended", "Other"]}))
            .await;
        ids.push(post["id"].as_i64().unwrap());
    }
    for round in 0..5 {
        let updates = ids.iter().enumerate().map(|(i, id)| {
            let app = app.clone();
            async move {
                let tags = json!(["contended", "Other", format!("round {round} post {i}")]);
                app.admin_patch(&format!("/posts/{id}"), json!({"tags": tags}))
                    .await
            }
        });
        let renames = (0..4).map(|i| {
            let app = app.clone();
            async move {
                let name = if i % 2 == 0 { "Contended" } else { "CONTENDED" };
                app.admin_patch("/tags/contended", json!({"name": name}))
                    .await
            }
        });
        let (updates, renames) = futures::join!(join_all(updates), join_all(renames));
        for reply in updates.into_iter().chain(renames) {
            reply.expect(200);
        }
    }
}
