//! Get-or-create tags and tag reads.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, send, slugs, tag_names};

crate::on_both_backends!(
    names_are_one_tag_whatever_their_case_and_spacing,
    duplicates_in_a_request_count_once_and_order_is_kept,
    clashing_slugs_stay_distinct_and_valid,
    tag_names_are_validated_per_index,
    invisible_characters_make_no_look_alike_tags,
    at_most_25_distinct_tags,
    tag_lists_sort_filter_and_page,
    autocomplete_is_a_case_insensitive_literal_prefix,
    a_tag_with_its_counts,
    the_tag_page_lists_visible_posts_newest_first,
);

async fn names_are_one_tag_whatever_their_case_and_spacing(app: TestApp) {
    let first = app
        .create_post(json!({"title": "One", "tags": ["Rust Lang"]}))
        .await;
    let second = app
        .create_post(json!({"title": "Two", "tags": ["  rust \t LANG "]}))
        .await;
    let third = app
        .create_post(json!({"title": "Three", "tags": ["RUST\nlang"]}))
        .await;
    let id = &first["tags"][0]["id"];
    assert_eq!(&second["tags"][0]["id"], id);
    assert_eq!(&third["tags"][0]["id"], id);
    // The first casing is kept.
    assert_eq!(tag_names(&third), ["Rust Lang"]);

    // Unicode: a decomposed é is the same name as a composed one.
    let composed = app
        .create_post(json!({"title": "Four", "tags": ["Caf\u{e9}"]}))
        .await;
    let decomposed = app
        .create_post(json!({"title": "Five", "tags": ["CAFE\u{301}"]}))
        .await;
    assert_eq!(composed["tags"][0]["id"], decomposed["tags"][0]["id"]);

    let all = app.get("/tags").await.expect(200).body;
    assert_eq!(all["total"], 2);
}

async fn duplicates_in_a_request_count_once_and_order_is_kept(app: TestApp) {
    let post = app
        .create_post(
            json!({"title": "Dupes", "tags": ["Zeta", "alpha", "ZETA", "Mid", "Alpha", "zeta"]}),
        )
        .await;
    assert_eq!(tag_names(&post), ["Zeta", "alpha", "Mid"]);
    let fetched = app
        .admin_get(&format!("/posts/{}", post["id"]))
        .await
        .expect(200)
        .body;
    assert_eq!(tag_names(&fetched), ["Zeta", "alpha", "Mid"]);
}

async fn clashing_slugs_stay_distinct_and_valid(app: TestApp) {
    let names = [
        "C",
        "C++",
        "C#",
        "Café",
        "Cafe",
        "🦀",
        "!!!",
        "???",
        "c plus plus",
    ];
    let post = app
        .create_post(json!({"title": "Clashes", "tags": names}))
        .await;
    let tags = post["tags"].as_array().unwrap();
    assert_eq!(tags.len(), names.len());
    let mut seen = std::collections::HashSet::new();
    for tag in tags {
        let slug = tag["slug"].as_str().unwrap();
        assert!(is_slug(slug), "{slug}");
        assert!(seen.insert(slug.to_owned()), "slug {slug} given twice");
    }
    assert_eq!(tags[0]["slug"], "c");
    assert_eq!(tags[1]["slug"], "c-plus-plus");
    assert_eq!(tags[2]["slug"], "c-sharp");
    assert_eq!(tags[5]["slug"], "crab");
    assert_eq!(tags[8]["slug"], "c-plus-plus-2");

    // A later request that clashes again gets the next free suffix.
    let later = app
        .create_post(json!({"title": "Later", "tags": ["CAFÉ", "cafe!"]}))
        .await;
    assert_eq!(later["tags"][0]["slug"], tags[3]["slug"]);
    assert_eq!(later["tags"][1]["slug"], "cafe-3");
}

fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

async fn tag_names_are_validated_per_index(app: TestApp) {
    let long = "x".repeat(51);
    let reply = app
        .admin_post(
            "/posts",
            json!({"title": "T", "tags": ["fine", "", long, "bad\u{0}char", "   "]}),
        )
        .await
        .expect_problem(422);
    let errors = &reply.body["errors"];
    assert!(errors.get("tags[0]").is_none());
    for index in 1..=4 {
        assert!(
            errors[format!("tags[{index}]")].is_array(),
            "tags[{index}]: {errors}"
        );
    }
    // Nothing was created.
    assert_eq!(app.get("/tags").await.expect(200).body["total"], 0);
    assert_eq!(app.admin_get("/posts").await.expect(200).body["total"], 0);

    let fifty = "é".repeat(50);
    let post = app
        .create_post(json!({"title": "T", "tags": [fifty.clone()]}))
        .await;
    assert_eq!(tag_names(&post), [fifty]);
}

async fn at_most_25_distinct_tags(app: TestApp) {
    let names: Vec<String> = (1..=26).map(|i| format!("tag {i}")).collect();
    let reply = app
        .admin_post("/posts", json!({"title": "Many", "tags": names}))
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["tags"].is_array());

    // 25 distinct once duplicates collapse is fine.
    let mut names: Vec<String> = (1..=25).map(|i| format!("tag {i}")).collect();
    names.extend((1..=10).map(|i| format!("TAG {i}")));
    let post = app
        .create_post(json!({"title": "Many", "tags": names}))
        .await;
    assert_eq!(post["tags"].as_array().unwrap().len(), 25);
}

async fn tag_lists_sort_filter_and_page(app: TestApp) {
    app.publish("P1", &["Beta", "Alpha"]).await;
    app.publish("P2", &["Beta"]).await;
    app.create_post(json!({"title": "Draft", "tags": ["Gamma", "beta"]}))
        .await;

    let by_count = app.get("/tags").await.expect(200).body;
    assert_eq!(slugs(&by_count["items"]), ["beta", "alpha", "gamma"]);
    assert_eq!(counts(&by_count, "post_count"), [2, 1, 0]);
    assert!(by_count["items"][0].get("total_count").is_none());
    assert_eq!(by_count["total"], 3);
    assert_eq!(by_count["per_page"], 50);

    let admin = app.admin_get("/tags").await.expect(200).body;
    assert_eq!(counts(&admin, "total_count"), [3, 1, 1]);

    let by_name = app.get("/tags?sort=name").await.expect(200).body;
    assert_eq!(slugs(&by_name["items"]), ["alpha", "beta", "gamma"]);
    let by_created = app.get("/tags?sort=created").await.expect(200).body;
    assert_eq!(slugs(&by_created["items"])[0], "gamma");

    let non_empty = app.get("/tags?min_count=1").await.expect(200).body;
    assert_eq!(slugs(&non_empty["items"]), ["beta", "alpha"]);
    assert_eq!(non_empty["total"], 2);
    let popular = app.get("/tags?min_count=2").await.expect(200).body;
    assert_eq!(popular["total"], 1);

    let paged = app
        .get("/tags?sort=name&per_page=2&page=2")
        .await
        .expect(200)
        .body;
    assert_eq!(slugs(&paged["items"]), ["gamma"]);
    assert_eq!(paged["total_pages"], 2);
    app.get("/tags?per_page=201").await.expect_problem(400);
    app.get("/tags?sort=popularity").await.expect_problem(400);
    app.get("/tags?min_count=-1").await.expect_problem(400);
}

fn counts(list: &Value, field: &str) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| tag[field].as_i64().unwrap())
        .collect()
}

async fn autocomplete_is_a_case_insensitive_literal_prefix(app: TestApp) {
    app.create_post(json!({"title": "T", "tags": ["WebAssembly", "Web Dev", "Weblogs", "Cobweb", "100%", "10_0", "Ärger"]}))
        .await;
    let prefix = |q: &str| {
        let request = app
            .request(Method::GET, "/tags")
            .query(&[("q", q), ("sort", "name")]);
        async move { slugs(&send(request).await.expect(200).body["items"]) }
    };
    assert_eq!(prefix("WEB").await, ["web-dev", "webassembly", "weblogs"]);
    assert_eq!(prefix("web ").await, ["web-dev"]);
    assert_eq!(prefix("10%").await, Vec::<String>::new());
    assert_eq!(prefix("100%").await, ["100"]);
    assert_eq!(prefix("10_").await, ["10-0"]);
    assert_eq!(prefix("är").await, ["arger"]);
    assert_eq!(prefix("").await.len(), 7);
}

async fn a_tag_with_its_counts(app: TestApp) {
    app.publish("Visible", &["Counted"]).await;
    app.create_post(json!({"title": "Draft", "tags": ["counted"]}))
        .await;

    let public = app.get("/tags/counted").await.expect(200).body;
    assert_eq!(public["name"], "Counted");
    assert_eq!(public["slug"], "counted");
    assert!(public["description"].is_null());
    assert_eq!(public["post_count"], 1);
    assert!(public.get("total_count").is_none());
    assert!(public["created_at"].is_string());

    let admin = app.admin_get("/tags/counted").await.expect(200).body;
    assert_eq!(admin["post_count"], 1);
    assert_eq!(admin["total_count"], 2);

    app.get("/tags/unknown").await.expect_problem(404);
}

async fn the_tag_page_lists_visible_posts_newest_first(app: TestApp) {
    for day in 1..=3 {
        app.create_post(json!({
            "title": format!("Day {day}"),
            "status": "published",
            "published_at": format!("2026-02-0{day}T00:00:00Z"),
            "tags": ["Page"],
        }))
        .await;
    }
    app.create_post(json!({"title": "Draft", "tags": ["Page"]}))
        .await;
    app.publish("Elsewhere", &["Other"]).await;

    for reply in [
        app.get("/tags/page/posts?per_page=2").await,
        app.admin_get("/tags/page/posts?per_page=2").await,
    ] {
        let page = reply.expect(200).body;
        assert_eq!(page["tag"]["slug"], "page");
        assert_eq!(page["tag"]["post_count"], 3);
        assert_eq!(slugs(&page["items"]), ["day-3", "day-2"]);
        assert_eq!(page["total"], 3);
        assert_eq!(page["total_pages"], 2);
        assert_eq!(page["page"], 1);
        assert_eq!(page["per_page"], 2);
    }
    app.get("/tags/nope/posts").await.expect_problem(404);
}

/// Zero-width spaces and joiners, direction marks and overrides and the
/// BOM are removed from names: `x\u{200B}y` is the tag `xy`, not a second
/// one that looks the same.
async fn invisible_characters_make_no_look_alike_tags(app: TestApp) {
    let plain = app.publish("Plain", &["xy", "Rust"]).await;
    let pasted = app
        .publish(
            "Pasted",
            &["x\u{200B}y", "\u{FEFF}Ru\u{200D}st\u{202E}", "X\u{2060}Y"],
        )
        .await;
    assert_eq!(tag_names(&pasted), ["xy", "Rust"]);
    assert_eq!(pasted["tags"][0]["id"], plain["tags"][0]["id"]);
    assert_eq!(pasted["tags"][1]["id"], plain["tags"][1]["id"]);
    let created = app
        .admin_post("/tags", json!({"name": "\u{200E}Go\u{200F}"}))
        .await
        .expect(201)
        .body;
    assert_eq!(created["name"], "Go");
    assert_eq!(app.get("/tags").await.body["total"], 3);

    // Nothing but invisible characters is no name at all.
    let reply = app
        .admin_post(
            "/posts",
            json!({"title": "T", "tags": ["ok", "\u{200B}\u{200D}\u{FEFF}"]}),
        )
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["tags[1]"].is_array(), "{}", reply.body);
    app.admin_post("/tags", json!({"name": "\u{200B} \u{200C}"}))
        .await
        .expect_problem(422);
    // A prefix typed with one finds the tag too.
    let found = app.get("/tags?q=r%E2%80%8Bu").await.expect(200).body;
    assert_eq!(slugs(&found["items"]), ["rust"]);
}
