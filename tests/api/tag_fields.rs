//! A tag page's fields: feature image, accent colour, meta title and
//! description.

use serde_json::{Value, json};

use crate::helpers::TestApp;

crate::on_both_backends!(
    tag_fields_are_set_on_create_and_shown_on_every_answer,
    tag_fields_are_three_state,
    bad_tag_fields_are_422_and_change_nothing,
);

const FIELDS: [&str; 4] = [
    "feature_image",
    "accent_color",
    "meta_title",
    "meta_description",
];

fn fields_of(tag: &Value) -> Vec<Value> {
    FIELDS.iter().map(|field| tag[field].clone()).collect()
}

async fn tag_fields_are_set_on_create_and_shown_on_every_answer(app: TestApp) {
    let created = app
        .admin_post(
            "/tags",
            json!({
                "name": "Rust",
                "feature_image": "HTTPS://CDN.Example.com/images/rust.png",
                "accent_color": "#CE422B",
                "meta_title": "Posts about Rust",
                "meta_description": "Ownership, lifetimes and the borrow checker.",
            }),
        )
        .await
        .expect(201)
        .body;
    let expected = vec![
        json!("https://cdn.example.com/images/rust.png"),
        json!("#ce422b"),
        json!("Posts about Rust"),
        json!("Ownership, lifetimes and the borrow checker."),
    ];
    assert_eq!(fields_of(&created), expected);
    app.publish("Tagged", &["rust"]).await;

    // To the public as to staff, on every answer that carries the tag.
    for answer in [
        app.get("/tags/rust").await.expect(200).body,
        app.get("/tags").await.expect(200).body["items"][0].clone(),
        app.get("/tags/rust/posts").await.expect(200).body["tag"].clone(),
        app.admin_get("/tags/rust").await.expect(200).body,
    ] {
        assert_eq!(fields_of(&answer), expected, "{answer}");
    }
    // Left out, they are null.
    let plain = app
        .admin_post("/tags", json!({"name": "Plain"}))
        .await
        .expect(201)
        .body;
    assert!(fields_of(&plain).iter().all(Value::is_null), "{plain}");
}

async fn tag_fields_are_three_state(app: TestApp) {
    let start = json!({
        "name": "Web",
        "feature_image": "https://example.com/web.png",
        "accent_color": "#112233",
        "meta_title": "Web",
        "meta_description": "The web",
    });
    app.admin_post("/tags", start).await.expect(201);
    for (field, value) in [
        ("feature_image", json!("http://example.org/other.jpg")),
        ("accent_color", json!("#abcdef")),
        ("meta_title", json!("Web posts")),
        ("meta_description", json!("")),
    ] {
        let before = app.admin_get("/tags/web").await.body;
        // Absent: unchanged.
        let kept = app
            .admin_patch("/tags/web", json!({"description": "touched"}))
            .await
            .expect(200)
            .body;
        assert_eq!(kept[field], before[field], "{field}");
        // A value: set.
        let set = app
            .admin_patch("/tags/web", json!({ field: value }))
            .await
            .expect(200)
            .body;
        assert_eq!(set[field], value, "{field}");
        // Null: cleared, and the others stay.
        let cleared = app
            .admin_patch("/tags/web", json!({ field: null }))
            .await
            .expect(200)
            .body;
        assert!(cleared[field].is_null(), "{field}");
        for other in FIELDS.iter().filter(|other| **other != field) {
            assert_eq!(
                cleared[*other], set[*other],
                "{other} after clearing {field}"
            );
        }
        // What was changed is what the public reads.
        assert!(app.get("/tags/web").await.body[field].is_null());
    }
}

async fn bad_tag_fields_are_422_and_change_nothing(app: TestApp) {
    let start = json!({
        "name": "Go",
        "feature_image": "https://example.com/go.png",
        "accent_color": "#00add8",
        "meta_title": "Go",
        "meta_description": "Gophers",
    });
    let before = app.admin_post("/tags", start).await.expect(201).body;
    let long_url = format!("https://example.com/{}", "a".repeat(2000));
    for (field, bad) in [
        ("feature_image", json!("/images/go.png")),
        ("feature_image", json!("javascript:alert(1)")),
        ("feature_image", json!("data:image/png;base64,AAAA")),
        ("feature_image", json!("ftp://example.com/go.png")),
        ("feature_image", json!(long_url)),
        ("accent_color", json!("red")),
        ("accent_color", json!("#fff")),
        ("accent_color", json!("00add8")),
        ("meta_title", json!("t".repeat(301))),
        ("meta_description", json!("d".repeat(501))),
        ("meta_description", json!("a\u{0}b")),
    ] {
        let reply = app
            .admin_patch("/tags/go", json!({ field: bad, "name": "Golang" }))
            .await
            .expect_problem(422);
        assert!(
            reply.body["errors"][field].is_array(),
            "{field} = {bad}: {}",
            reply.body
        );
        let created = app
            .admin_post("/tags", json!({"name": "New", field: bad}))
            .await
            .expect_problem(422);
        assert!(created.body["errors"][field].is_array(), "{}", created.body);
    }
    assert_eq!(app.admin_get("/tags/go").await.body, before);
    assert_eq!(app.admin_get("/tags").await.body["total"], 1);
}
