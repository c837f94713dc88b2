//! Tag counts are served from memory, yet stay exact: every write that can
//! change a count, made through one instance, is seen by the very next read
//! through another instance on the same database.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, seconds_from_now};

/// Each tag's slug with its name, visible count and total count, as the
/// admin's tag list gives them.
async fn counts(app: &TestApp) -> BTreeMap<String, (String, i64, i64)> {
    let list = app
        .admin_get("/tags?sort=name&per_page=200")
        .await
        .expect(200)
        .body;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| {
            (
                tag["slug"].as_str().unwrap().to_owned(),
                (
                    tag["name"].as_str().unwrap().to_owned(),
                    tag["post_count"].as_i64().unwrap(),
                    tag["total_count"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Asserts the reader's counts, and that the public tag page and the single
/// tag agree with them.
async fn expect_counts(reader: &TestApp, expected: &[(&str, &str, i64, i64)], after: &str) {
    let expected: BTreeMap<String, (String, i64, i64)> = expected
        .iter()
        .map(|(slug, name, visible, total)| {
            (slug.to_string(), (name.to_string(), *visible, *total))
        })
        .collect();
    assert_eq!(counts(reader).await, expected, "after {after}");
    for (slug, (_, visible, total)) in &expected {
        let tag = reader.get(&format!("/tags/{slug}")).await.expect(200).body;
        assert_eq!(tag["post_count"], *visible, "{slug} after {after}");
        let page = reader
            .get(&format!("/tags/{slug}/posts"))
            .await
            .expect(200)
            .body;
        assert_eq!(page["total"], *visible, "{slug} after {after}");
        assert_eq!(
            page["items"].as_array().unwrap().len() as i64,
            *visible,
            "{slug} after {after}"
        );
        let listed = reader.get(&format!("/posts?tag={slug}")).await.expect(200);
        assert_eq!(listed.body["total"], *visible, "{slug} after {after}");
        let listed = reader
            .admin_get(&format!("/posts?tag_any={slug}&status=all"))
            .await
            .expect(200);
        assert_eq!(listed.body["total"], *total, "{slug} after {after}");
    }
}

async fn every_count_changing_write_is_seen_by_the_other_instance(
    writer: TestApp,
    reader: TestApp,
) {
    expect_counts(&reader, &[], "nothing").await;

    let first = writer.publish("First", &["Alpha", "Beta"]).await;
    let first = format!("/posts/{}", first["id"]);
    expect_counts(
        &reader,
        &[("alpha", "Alpha", 1, 1), ("beta", "Beta", 1, 1)],
        "a post",
    )
    .await;

    let second = writer
        .create_post(json!({"title": "Second", "tags": ["Beta"]}))
        .await;
    let second = format!("/posts/{}", second["id"]);
    expect_counts(
        &reader,
        &[("alpha", "Alpha", 1, 1), ("beta", "Beta", 1, 2)],
        "a draft",
    )
    .await;

    writer
        .admin_patch(&second, json!({"status": "published"}))
        .await
        .expect(200);
    expect_counts(
        &reader,
        &[("alpha", "Alpha", 1, 1), ("beta", "Beta", 2, 2)],
        "publishing",
    )
    .await;

    writer
        .admin_patch(&first, json!({"tags": ["Gamma", "Beta"]}))
        .await
        .expect(200);
    expect_counts(
        &reader,
        &[
            ("alpha", "Alpha", 0, 0),
            ("beta", "Beta", 2, 2),
            ("gamma", "Gamma", 1, 1),
        ],
        "replacing tags",
    )
    .await;

    writer.admin_delete(&second).await.expect(204);
    expect_counts(
        &reader,
        &[
            ("alpha", "Alpha", 0, 0),
            ("beta", "Beta", 1, 1),
            ("gamma", "Gamma", 1, 1),
        ],
        "trashing",
    )
    .await;

    writer
        .admin_post(&format!("{second}/restore"), json!({}))
        .await
        .expect(200);
    writer
        .admin_patch("/tags/gamma", json!({"name": "Gamma Rays"}))
        .await
        .expect(200);
    writer
        .admin_post("/tags", json!({"name": "Delta"}))
        .await
        .expect(201);
    expect_counts(
        &reader,
        &[
            ("alpha", "Alpha", 0, 0),
            ("beta", "Beta", 2, 2),
            ("delta", "Delta", 0, 0),
            ("gamma", "Gamma Rays", 1, 1),
        ],
        "restoring, renaming and creating",
    )
    .await;

    writer
        .admin_post("/tags/beta/merge", json!({"into": "gamma"}))
        .await
        .expect(200);
    writer.admin_delete("/tags/alpha").await.expect(204);
    expect_counts(
        &reader,
        &[("delta", "Delta", 0, 0), ("gamma", "Gamma Rays", 2, 2)],
        "merging and deleting",
    )
    .await;

    let ids: Vec<Value> = [&first, &second]
        .iter()
        .map(|path| json!(path.trim_start_matches("/posts/").parse::<i64>().unwrap()))
        .collect();
    writer
        .admin_post("/posts/bulk", json!({"ids": ids, "action": "unpublish"}))
        .await
        .expect(200);
    expect_counts(
        &reader,
        &[("delta", "Delta", 0, 0), ("gamma", "Gamma Rays", 0, 2)],
        "unpublishing in bulk",
    )
    .await;

    writer
        .admin_delete(&format!("{first}?permanent=true"))
        .await
        .expect(204);
    writer
        .admin_delete(&format!("{second}/tags/gamma"))
        .await
        .expect(200);
    expect_counts(
        &reader,
        &[("delta", "Delta", 0, 0), ("gamma", "Gamma Rays", 0, 0)],
        "deleting for good and detaching",
    )
    .await;
}

/// Pages of posts are remembered too, so edits that change no count (a
/// title, a body, an excerpt) are seen by the next list on every instance.
async fn edits_are_seen_in_lists_through_the_other_instance(writer: TestApp, reader: TestApp) {
    let post = writer.publish("Original", &["Rust", "Web"]).await;
    let path = format!("/posts/{}", post["id"]);
    let lists = [
        "/tags/rust/posts",
        "/posts?tag=rust&tag=web",
        "/posts?tag_any=web",
        "/posts",
    ];
    let titles_and_bodies = |reader: &TestApp| {
        let reader = reader.clone();
        async move {
            let mut seen = Vec::new();
            for list in lists {
                // Twice: the second may be answered from memory.
                for _ in 0..2 {
                    let page = reader.get(list).await.expect(200).body;
                    let item = &page["items"][0];
                    seen.push((item["title"].clone(), item["body"].clone()));
                }
            }
            seen
        }
    };
    for (title, body) in [("Edited", "New body"), ("Edited again", "Newer body")] {
        let before = titles_and_bodies(&reader).await;
        assert!(before.iter().all(|(t, _)| t != title));
        writer
            .admin_patch(&path, json!({"title": title, "body": body}))
            .await
            .expect(200);
        let after = titles_and_bodies(&reader).await;
        assert!(
            after
                .iter()
                .all(|seen| *seen == (json!(title), json!(body))),
            "{after:?}"
        );
    }
}

/// Single posts are remembered too: every write to a post, by any
/// instance, is seen by the next read of it on every instance, by id and by
/// slug, for the public and for the admin.
async fn post_writes_are_seen_in_reads_through_the_other_instance(
    writer: TestApp,
    reader: TestApp,
) {
    let post = writer.publish("Original", &["Rust"]).await;
    let by_id = format!("/posts/{}", post["id"]);
    let by_slug = format!("/posts/slug/{}", post["slug"].as_str().unwrap());
    // What the public and the admin each get, read twice (the second may
    // be answered from memory) by id and by slug: the title, or the status.
    let seen = |reader: &TestApp| {
        let (reader, by_id, by_slug) = (reader.clone(), by_id.clone(), by_slug.clone());
        async move {
            let mut seen = Vec::new();
            for path in [&by_id, &by_slug, &by_id, &by_slug] {
                for reply in [reader.get(path).await, reader.admin_get(path).await] {
                    seen.push(match reply.status.as_u16() {
                        200 => reply.body["title"].as_str().unwrap().to_owned(),
                        status => status.to_string(),
                    });
                }
            }
            seen
        }
    };
    let both = |public: &str, admin: &str| -> Vec<String> {
        (0..4)
            .flat_map(|_| [public.to_owned(), admin.to_owned()])
            .collect()
    };
    assert_eq!(seen(&reader).await, both("Original", "Original"));

    writer
        .admin_patch(&by_id, json!({"title": "Edited"}))
        .await
        .expect(200);
    assert_eq!(seen(&reader).await, both("Edited", "Edited"));

    writer.admin_delete(&by_id).await.expect(204);
    assert_eq!(seen(&reader).await, both("404", "Edited"));

    writer
        .admin_post(&format!("{by_id}/restore"), json!({}))
        .await
        .expect(200);
    assert_eq!(seen(&reader).await, both("Edited", "Edited"));

    writer
        .admin_patch(&by_id, json!({"published_at": seconds_from_now(3600)}))
        .await
        .expect(200);
    assert_eq!(seen(&reader).await, both("404", "Edited"));

    writer
        .admin_delete(&format!("{by_id}?permanent=true"))
        .await
        .expect(204);
    assert_eq!(seen(&reader).await, both("404", "404"));
}

crate::on_both_backends!(two instances;
    every_count_changing_write_is_seen_by_the_other_instance,
    edits_are_seen_in_lists_through_the_other_instance,
    post_writes_are_seen_in_reads_through_the_other_instance,
);
