//! What must never get out: the admin token (in logs or in answers), the
//! database password, and any trace of a post the caller may not see; and
//! what must never get in: SQL or LIKE syntax through search, names or slugs.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, Reply, TOKEN, TestApp, TestDatabase, seconds_from_now, send, slugs};
use crate::process::ServerProcess;

crate::on_both_backends!(
    hidden_posts_leave_no_trace_for_the_public,
    sql_and_like_metacharacters_are_literals,
    the_nul_character_is_refused_everywhere,
);

const WRONG_TOKEN: &str = "not-the-admin-token-but-still-a-secret";

#[test]
fn sqlite_the_token_never_reaches_logs_or_answers() {
    secrets_stay_secret(Backend::Sqlite);
}

#[test]
fn postgres_the_token_and_password_never_reach_logs_or_answers() {
    secrets_stay_secret(Backend::Postgres);
}

fn secrets_stay_secret(backend: Backend) {
    let Some(mut database) = TestDatabase::create(backend) else {
        return;
    };
    // The local PostgreSQL trusts its clients, so any password will do: the
    // point is that it is never written out.
    let password = "pw-that-must-not-be-logged";
    if backend == Backend::Postgres {
        database.url = blog_backend::db::DatabaseUrl::parse(&database.url.as_str().replacen(
            "postgres@",
            &format!("postgres:{password}@"),
            1,
        ))
        .unwrap();
    }
    let mut server = ServerProcess::start(&database);
    let base = server.base();

    let answers = actix_web::rt::System::new().block_on(async move {
        let client = reqwest::Client::new();
        let url = |path: &str| format!("{base}/api/v1{path}");
        let mut answers = Vec::new();
        for token in [TOKEN, WRONG_TOKEN] {
            for request in [
                client
                    .post(url("/posts"))
                    .json(&json!({"title": "Hello", "tags": ["Rust"]})),
                client.post(url("/posts")).json(&json!({"title": ""})),
                client.post(url("/posts")).body("{not json"),
                client.get(url("/posts?status=draft")),
                client.get(url("/posts/999999")),
                client.patch(url("/posts/1")).json(&json!({"tags": null})),
                client.delete(url("/tags/rust")),
                client.get(url("/tags")),
            ] {
                answers.push(exchange(request.bearer_auth(token)).await);
            }
            // The token in other places a client might put it by mistake.
            answers.push(exchange(client.get(url("/posts")).basic_auth(token, None::<&str>)).await);
            answers.push(exchange(client.get(url("/posts")).header("X-Api-Key", token)).await);
        }
        answers.push(exchange(client.get(format!("{base}/readyz"))).await);
        answers
    });

    server.terminate();
    server.wait(Duration::from_secs(10));
    let log = server.log();
    assert!(
        log.contains("POST /api/v1/posts") && log.contains("DELETE /api/v1/tags/rust"),
        "requests are logged, so their absence below means something:\n{log}"
    );
    for secret in [TOKEN, WRONG_TOKEN, password] {
        assert!(!log.contains(secret), "`{secret}` is in the log:\n{log}");
        for answer in &answers {
            assert!(
                !answer.contains(secret),
                "`{secret}` is in an answer: {answer}"
            );
        }
    }
}

/// Status, headers and body of the reply, as one string to search.
async fn exchange(request: reqwest::RequestBuilder) -> String {
    let reply: Reply = send(request.timeout(Duration::from_secs(10))).await;
    format!("{} {:?} {}", reply.status, reply.headers, reply.body)
}

async fn hidden_posts_leave_no_trace_for_the_public(app: TestApp) {
    app.publish("Public post", &["Open"]).await;
    let mut hidden = Vec::new();
    // Several hidden posts on one tag, so that a count or an ordering that
    // included them would stand out.
    for i in 0..3 {
        hidden.push(
            app.create_post(json!({"title": format!("Secret draft {i}"), "tags": ["Hidden"]}))
                .await,
        );
    }
    hidden.push(
        app.create_post(json!({
            "title": "Secret scheduled", "status": "published",
            "published_at": seconds_from_now(86_400), "tags": ["Hidden"],
        }))
        .await,
    );
    let trashed = app.publish("Secret trashed", &["Hidden"]).await;
    app.admin_delete(&format!("/posts/{}", trashed["id"]))
        .await
        .expect(204);
    hidden.push(trashed);

    // Counts and totals: the hidden tag has nothing, and says nothing more.
    let tag = app.get("/tags/hidden").await.expect(200).body;
    assert_eq!(tag["post_count"], 0);
    assert!(tag.get("total_count").is_none(), "{tag}");
    let tags = app.get("/tags?sort=count").await.expect(200).body;
    assert_eq!(
        slugs(&tags["items"]),
        ["open", "hidden"],
        "hidden posts do not rank a tag"
    );
    assert!(
        tags["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|tag| tag.get("total_count").is_none())
    );
    let page = app.get("/tags/hidden/posts").await.expect(200).body;
    assert_eq!(
        (page["total"].clone(), page["total_pages"].clone()),
        (json!(0), json!(0))
    );
    assert!(page["tag"].get("total_count").is_none());

    // Lists and searches.
    for path in [
        "/posts?q=secret",
        "/posts?q=Secret%20draft%200",
        "/posts?tag=hidden",
        "/posts?tag_any=hidden",
        "/posts?status=published&q=secret",
    ] {
        let list = app.get(path).await.expect(200).body;
        assert_eq!(
            (list["total"].clone(), list["items"].clone()),
            (json!(0), json!([])),
            "{path}"
        );
    }

    // Single reads: a hidden post is answered exactly like one that never
    // existed, conditional requests included.
    let absent = app.get("/posts/999999").await.expect_problem(404).body;
    for post in &hidden {
        let by_id = app
            .get(&format!("/posts/{}", post["id"]))
            .await
            .expect_problem(404);
        assert_eq!(by_id.body, absent);
        let conditional = send(
            app.request(Method::GET, &format!("/posts/{}", post["id"]))
                .header("If-None-Match", "*"),
        )
        .await;
        assert_eq!(conditional.status, 404);
        app.get(&format!("/posts/slug/{}", post["slug"].as_str().unwrap()))
            .await
            .expect_problem(404);
    }
    // Asking for a hidden status without the token is refused, not filtered.
    for status in ["draft", "scheduled", "deleted", "all"] {
        app.get(&format!("/posts?status={status}"))
            .await
            .expect_problem(401);
    }
}

async fn sql_and_like_metacharacters_are_literals(app: TestApp) {
    let titles = [
        "100% organic",
        "snake_case names",
        "It's quoted",
        r"C:\Windows paths",
        "'; DROP TABLE posts; --",
        "plain words",
    ];
    for title in titles {
        app.publish(title, &[]).await;
    }
    let search = |q: &str| {
        let request = app.request(Method::GET, "/posts").query(&[("q", q)]);
        async move {
            let body = send(request).await.expect(200).body;
            let mut titles: Vec<String> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|post| post["title"].as_str().unwrap().to_owned())
                .collect();
            titles.sort();
            (body["total"].clone(), titles)
        }
    };
    assert_eq!(
        search("%").await,
        (json!(1), vec!["100% organic".to_owned()])
    );
    assert_eq!(
        search("_").await,
        (json!(1), vec!["snake_case names".to_owned()])
    );
    assert_eq!(search("%%").await.0, 0);
    assert_eq!(search("e_c").await.1, ["snake_case names"]);
    assert_eq!(
        search("'").await.1,
        ["'; DROP TABLE posts; --", "It's quoted"]
    );
    assert_eq!(search(r"\").await.1, [r"C:\Windows paths"]);
    assert_eq!(search(r"\W").await.1, [r"C:\Windows paths"]);
    assert_eq!(search("' OR '1'='1").await.0, 0);
    assert_eq!(search("; drop table").await.1, ["'; DROP TABLE posts; --"]);
    // The table is still there, with everything in it.
    assert_eq!(
        app.get("/posts").await.expect(200).body["total"],
        titles.len()
    );

    // Tag names: got or created by their literal text, with readable slugs.
    let post = app
        .create_post(
            json!({"title": "Tagged", "tags": ["50%", "a_b", "O'Reilly", r"back\slash", "ab"]}),
        )
        .await;
    let again = app
        .create_post(json!({"title": "Tagged again", "tags": ["o'reilly", "A_B", "50%"]}))
        .await;
    let ids = |post: &Value| -> Vec<i64> {
        post["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|tag| tag["id"].as_i64().unwrap())
            .collect()
    };
    let first = ids(&post);
    assert_eq!(ids(&again), [first[2], first[1], first[0]]);
    for tag in post["tags"].as_array().unwrap() {
        let slug = tag["slug"].as_str().unwrap();
        assert!(blog_backend::domain::slug::is_valid_slug(slug), "{slug}");
        app.get(&format!("/tags/{slug}")).await.expect(200);
    }
    let prefix = |q: &str| {
        let request = app
            .request(Method::GET, "/tags")
            .query(&[("q", q), ("sort", "name")]);
        async move {
            let body = send(request).await.expect(200).body;
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|tag| tag["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(prefix("a_").await, ["a_b"], "`_` is not a wildcard");
    assert_eq!(
        prefix("%").await,
        Vec::<String>::new(),
        "`%` is not a wildcard"
    );
    assert_eq!(prefix("o'").await, ["O'Reilly"]);
    assert_eq!(prefix(r"back\").await, [r"back\slash"]);

    // Slugs in paths and filters: never a pattern, never a statement.
    for path in [
        "/tags/%25",
        "/tags/%5F",
        "/tags/o'reilly",
        "/tags/a%27%20OR%20%271%27%3D%271",
        "/posts/slug/%25",
        "/posts/slug/plain%25",
        "/tags/%25/posts",
    ] {
        app.get(path).await.expect_problem(404);
    }
    for path in [
        "/posts?tag=%25",
        "/posts?tag_any=a_b",
        "/posts?tag=o'reilly",
    ] {
        app.get(path).await.expect_problem(400);
    }
    app.admin_delete("/posts/1/tags/%25")
        .await
        .expect_problem(404);
}

/// PostgreSQL cannot store or compare U+0000 in text; it is refused on both
/// backends before it reaches the database, as the field or parameter it
/// came in.
async fn the_nul_character_is_refused_everywhere(app: TestApp) {
    for (body, field) in [
        (json!({"title": "a\0b"}), "title"),
        (json!({"title": "T", "body": "x\0"}), "body"),
        (json!({"title": "T", "excerpt": "\0"}), "excerpt"),
        (json!({"title": "T", "tags": ["a\0"]}), "tags[0]"),
    ] {
        let reply = app.admin_post("/posts", body).await.expect_problem(422);
        assert!(reply.body["errors"][field].is_array(), "{}", reply.body);
    }
    let reply = app
        .admin_post("/tags", json!({"name": "Fine", "description": "\0"}))
        .await
        .expect_problem(422);
    assert!(reply.body["errors"]["description"].is_array());

    for path in ["/posts?q=%00", "/tags?q=a%00", "/posts?tag=%00"] {
        app.get(path).await.expect_problem(400);
    }
    for path in ["/posts/slug/a%00", "/tags/%00", "/tags/%00/posts"] {
        app.get(path).await.expect_problem(404);
    }
    app.admin_patch("/tags/%00", json!({"description": "x"}))
        .await
        .expect_problem(404);
    // Nothing was written, and the service is fine.
    assert_eq!(app.admin_get("/posts").await.expect(200).body["total"], 0);
    app.publish("After the NULs", &[]).await;
}
