//! Atom feeds: the newest visible posts (every post's, a tag's, an
//! author's), Markdown rendered to sanitised HTML, links under the public
//! base URL; drafts, scheduled and trashed posts never in them.

use atom_syndication::Feed;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, seconds_from_now};

crate::on_both_backends!(
    feeds_hold_the_newest_visible_posts_rendered_safely,
    tag_and_author_feeds_follow_what_the_public_sees,
);

/// The feed at `path`, parsed; its `Content-Type` checked.
async fn feed(app: &TestApp, path: &str) -> Feed {
    let response = app.request(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let xml = response.bytes().await.unwrap();
    Feed::read_from(&xml[..]).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn titles(feed: &Feed) -> Vec<&str> {
    feed.entries()
        .iter()
        .map(|entry| entry.title().as_str())
        .collect()
}

async fn feeds_hold_the_newest_visible_posts_rendered_safely(app: TestApp) {
    for n in 1..=21 {
        app.publish(&format!("Post {n}"), &["Rust"]).await;
    }
    let body = "# Heading\n\nSome *Markdown*. [Click](javascript:alert(1))\n\n\
                <script>alert(2)</script>\n\n<img src=\"https://example.com/a.png\" onerror=\"alert(3)\">";
    let rich = app
        .create_post(json!({
            "title": "Rich <body> & more", "body": body, "excerpt": "The excerpt",
            "status": "published", "tags": ["Rust", "#Later"]
        }))
        .await;
    app.create_post(json!({"title": "A draft", "tags": ["Rust"]}))
        .await;
    // Control characters XML forbids are left out, lest no reader can read the feed.
    app.create_post(json!({
        "title": "Bell\u{7} and form feed", "body": "page\u{c}break", "status": "published",
        "published_at": "2020-01-01T00:00:00Z", "tags": ["Odd"]
    }))
    .await;
    let odd = feed(&app, "/feeds/tags/odd.atom").await;
    assert_eq!(titles(&odd), ["Bell and form feed"]);
    app.create_post(json!({
        "title": "Scheduled", "status": "published", "published_at": seconds_from_now(3600),
        "tags": ["Rust"]
    }))
    .await;
    let trashed = app.publish("Trashed", &["Rust"]).await;
    app.admin_delete(&format!("/posts/{}", trashed["id"]))
        .await
        .expect(204);

    let all = feed(&app, "/feeds/posts.atom").await;
    assert_eq!(all.entries().len(), 20, "the newest 20");
    let expected: Vec<String> = std::iter::once("Rich <body> & more".to_owned())
        .chain((3..=21).rev().map(|n| format!("Post {n}")))
        .collect();
    assert_eq!(titles(&all), expected);
    assert_eq!(all.id(), "https://blog.example.com/feeds/posts.atom");
    assert_eq!(all.updated(), all.entries()[0].updated());

    let entry = &all.entries()[0];
    assert_eq!(
        entry.links()[0].href(),
        "https://blog.example.com/posts/rich-body-more"
    );
    assert_eq!(entry.authors()[0].name(), "Owner");
    assert_eq!(
        entry.summary().map(|text| text.as_str()),
        Some("The excerpt")
    );
    let categories: Vec<&str> = entry.categories().iter().map(|tag| tag.term()).collect();
    assert_eq!(categories, ["rust"], "internal tags are no category");
    assert!(entry.published().is_some());
    assert_eq!(
        entry.id(),
        format!("https://blog.example.com/api/v1/posts/{}", rich["id"])
    );
    let content = entry.content().and_then(|content| content.value()).unwrap();
    assert!(content.contains("<h1>Heading</h1>"), "{content}");
    assert!(content.contains("<em>Markdown</em>"), "{content}");
    assert!(
        content.contains("<img src=\"https://example.com/a.png\">"),
        "{content}"
    );
    for banned in ["<script", "alert(", "onerror", "javascript:"] {
        assert!(!content.contains(banned), "{banned} in {content}");
    }
}

async fn tag_and_author_feeds_follow_what_the_public_sees(app: TestApp) {
    app.publish("Old", &["Rust", "#Later"]).await;
    app.publish("New", &["Rust"]).await;
    app.publish("Elsewhere", &["Go"]).await;
    let tag = feed(&app, "/feeds/tags/rust.atom").await;
    assert_eq!(titles(&tag), ["New", "Old"]);
    assert_eq!(tag.title().as_str(), "Rust");
    let author = feed(&app, "/feeds/authors/owner.atom").await;
    assert_eq!(titles(&author), ["Elsewhere", "New", "Old"]);

    // Internal tags have no public feed; unknown slugs none at all.
    for path in [
        "/feeds/tags/hash-later.atom",
        "/feeds/tags/nothing.atom",
        "/feeds/authors/nobody.atom",
    ] {
        app.get(path).await.expect_problem(404);
    }
    // Feeds are the public's even to staff.
    let signed_in = app
        .admin(Method::GET, "/feeds/tags/rust.atom")
        .send()
        .await
        .unwrap();
    let xml = signed_in.text().await.unwrap();
    assert!(!xml.contains("hash-later"), "{xml}");

    // A tag renamed: its old feed address leads to the new one.
    let renamed = app.admin_patch(
        "/tags/rust",
        json!({"name": "Rust lang", "slug": "rust-lang"}),
    );
    let slug = renamed.await.expect(200).body["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = app.get("/feeds/tags/rust.atom").await.expect(301);
    assert_eq!(
        moved.header("location"),
        Some(format!("/feeds/tags/{slug}.atom").as_str())
    );
    let tag = feed(&app, &format!("/feeds/tags/{slug}.atom")).await;
    assert_eq!(tag.title().as_str(), "Rust lang");
}
