//! The authors list and its counts, over HTTP: exact as the `GROUP BY`
//! says, kept so by every write on another instance, and by scheduled
//! posts coming due; who may see an author who has no visible post.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, seconds_from_now};

crate::on_both_backends!(two instances;
    authors_are_listed_with_exact_counts_on_every_instance,
    an_author_with_no_visible_post_is_found_only_with_a_token,
);

const PASSWORD: &str = "correct horse battery";

/// `(slug, post_count)` of every author listed, in order.
async fn listed(app: &TestApp) -> Vec<(String, i64)> {
    let page = app.get("/authors?per_page=200").await.expect(200);
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(page.body["total"], items.len());
    items
        .iter()
        .map(|author| {
            let members: Vec<&String> = author.as_object().unwrap().keys().collect();
            assert_eq!(
                members.len(),
                5,
                "id, name, slug, bio, post_count: {author}"
            );
            (
                author["slug"].as_str().unwrap().to_owned(),
                author["post_count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn authors(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected
        .iter()
        .map(|(slug, count)| ((*slug).to_owned(), *count))
        .collect()
}

async fn post_by(app: &TestApp, author: &str, body: Value) -> i64 {
    let mut body = body;
    body["author"] = json!(author);
    app.create_post(body).await["id"].as_i64().unwrap()
}

async fn authors_are_listed_with_exact_counts_on_every_instance(a: TestApp, b: TestApp) {
    for (name, email) in [
        ("Ada", "ada@example.com"),
        ("Bo", "bo@example.com"),
        ("Dee", "dee@example.com"),
        ("Cy", "cy@example.com"),
    ] {
        a.create_user(name, email, "author", PASSWORD).await;
    }
    // Read once on each, so that each holds the counts in memory.
    assert!(listed(&a).await.is_empty());
    assert!(listed(&b).await.is_empty());

    let published = json!({"title": "Out", "status": "published"});
    for _ in 0..3 {
        post_by(&a, "ada", published.clone()).await;
    }
    post_by(&a, "ada", json!({"title": "Draft"})).await;
    let bos = post_by(&a, "bo", published.clone()).await;
    post_by(&a, "dee", published.clone()).await;
    post_by(&a, "cy", json!({"title": "Only a draft"})).await;
    let soon = json!({"title": "Soon", "status": "published", "published_at": seconds_from_now(2)});
    post_by(&a, "bo", soon).await;
    // Most first, then by name; no one without a visible post.
    let expected = authors(&[("ada", 3), ("bo", 1), ("dee", 1)]);
    assert_eq!(listed(&b).await, expected);
    let second = b.get("/authors?per_page=1&page=2").await.expect(200);
    assert_eq!(second.body["items"][0]["slug"], "bo");
    assert_eq!(
        (
            second.body["total"].clone(),
            second.body["total_pages"].clone()
        ),
        (json!(3), json!(3))
    );

    // The scheduled post comes due, with no write.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        listed(&b).await,
        authors(&[("ada", 3), ("bo", 2), ("dee", 1)])
    );

    // Trashed, given to another, renamed: each seen through the other.
    a.admin_delete(&format!("/posts/{bos}")).await.expect(204);
    assert_eq!(
        listed(&b).await,
        authors(&[("ada", 3), ("bo", 1), ("dee", 1)])
    );
    a.admin_post(&format!("/posts/{bos}/restore"), json!({}))
        .await
        .expect(200);
    a.admin_patch(&format!("/posts/{bos}"), json!({"author": "cy"}))
        .await
        .expect(200);
    assert_eq!(
        listed(&b).await,
        authors(&[("ada", 3), ("bo", 1), ("cy", 1), ("dee", 1)])
    );
    a.admin_patch("/users/ada", json!({"name": "Zed", "bio": "Engines."}))
        .await
        .expect(200);
    let page = b.get("/authors").await.expect(200);
    assert_eq!(page.body["items"][0]["name"], "Zed");
    assert_eq!(page.body["items"][0]["bio"], "Engines.");
    // Deleted, their posts go to another.
    a.admin_delete("/users/dee?reassign_to=bo")
        .await
        .expect(204);
    assert_eq!(
        listed(&b).await,
        authors(&[("ada", 3), ("bo", 2), ("cy", 1)])
    );

    // Exactly what counting afresh says: a third view, the `GROUP BY`.
    let mut conn = a.connect();
    let counted =
        blog_backend::db::author_counts::all(&mut conn, blog_backend::domain::time::now()).unwrap();
    let mut afresh: Vec<(String, i64)> = counted
        .into_iter()
        .filter(|author| author.post_count > 0)
        .map(|author| (author.author.slug, author.post_count))
        .collect();
    afresh.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    assert_eq!(listed(&a).await, afresh);
}

async fn an_author_with_no_visible_post_is_found_only_with_a_token(a: TestApp, b: TestApp) {
    a.create_user("Cy", "cy@example.com", "contributor", PASSWORD)
        .await;
    let cy = a.sign_in("cy@example.com", PASSWORD).await;
    a.with_token(&cy, Method::POST, "/posts", Some(json!({"title": "Draft"})))
        .await
        .expect(201);
    for path in ["/authors/cy", "/authors/cy/posts", "/authors/nobody"] {
        b.get(path).await.expect_problem(404);
    }
    let known = b.admin_get("/authors/cy").await.expect(200);
    assert_eq!(known.body["post_count"], 0);
    assert!(known.body.get("email").is_none() && known.body.get("role").is_none());
    let page = b
        .with_token(&cy, Method::GET, "/authors/cy/posts", None)
        .await;
    let page = page.expect(200);
    assert_eq!(
        (
            page.body["author"]["slug"].clone(),
            page.body["total"].clone()
        ),
        (json!("cy"), json!(0))
    );
    b.admin_get("/authors/nobody").await.expect_problem(404);

    // Published by an editor, the post makes Cy an author for everyone.
    let post = b.admin_get("/posts?status=draft").await.body["items"][0]["id"].clone();
    b.admin_patch(&format!("/posts/{post}"), json!({"status": "published"}))
        .await
        .expect(200);
    let public = a.get("/authors/cy").await.expect(200);
    assert_eq!(public.body["post_count"], 1);
    let page = a.get("/authors/cy/posts").await.expect(200);
    assert_eq!(page.body["items"][0]["title"], "Draft");
    assert_eq!(page.body["items"][0]["author"]["slug"], "cy");
    assert_eq!(page.body["total"], 1);
}
