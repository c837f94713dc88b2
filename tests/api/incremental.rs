//! The tag counts are brought up to date by applying what each write
//! changed — counted afresh only at start-up and when the log of changes
//! cannot be trusted — and equal the `GROUP BY` join throughout: on two
//! instances sharing a database, as scheduled posts come due, after the log
//! is pruned, and after the server is killed in the middle of writes.

use std::collections::BTreeMap;
use std::time::Duration;

use blog_backend::cache::{TagListQuery, TagSort};
use blog_backend::db::{DbConn, count_deltas};
use blog_backend::domain::page::PageRequest;
use blog_backend::domain::time::now;
use chrono::TimeDelta;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, TestDatabase, seconds_from_now};
use crate::process::ServerProcess;
use crate::tag_lists;

const RECOUNTS: &str = "blog_tag_count_recounts_total";
const APPLICATIONS: &str = "blog_tag_count_applications_total";
const ADVANCES: &str = "blog_tag_count_advances_total";

mod two {
    use super::*;
    crate::on_both_backends!(two instances;
        random_writes_are_applied_on_both_instances_and_equal_the_group_by,
        the_other_instance_counts_afresh_when_the_log_was_pruned_past_it,
    );
}
crate::on_both_backends!(scheduled_posts_come_due_without_a_recount);

type Counts = BTreeMap<String, (i64, i64)>;

/// Each tag's slug with its visible and total counts, from the join.
fn group_by(conn: &mut DbConn) -> Counts {
    let query = TagListQuery {
        sort: TagSort::Name,
        ..Default::default()
    };
    let page = PageRequest {
        page: 1,
        per_page: 200,
    };
    tag_lists::from_sql(conn, &query, page, now())
        .items
        .into_iter()
        .map(|t| (t.tag.slug, (t.post_count, t.total_count)))
        .collect()
}

/// The same, as a server answers `GET /tags`.
async fn served(app: &TestApp) -> Counts {
    let list = app
        .admin_get("/tags?sort=name&per_page=200")
        .await
        .expect(200);
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| {
            (
                tag["slug"].as_str().unwrap().to_owned(),
                (
                    tag["post_count"].as_i64().unwrap(),
                    tag["total_count"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

const NAMES: [&str; 8] = [
    "Rust",
    "Go",
    "Zig",
    "Databases",
    "Ops",
    "Design",
    "Later",
    "Notes",
];

fn some_tags(rng: &mut StdRng) -> Vec<&'static str> {
    let count = rng.random_range(0..=4);
    (0..count)
        .map(|_| NAMES[rng.random_range(0..NAMES.len())])
        .collect()
}

fn some_post(rng: &mut StdRng) -> Value {
    let (status, published_at) = match rng.random_range(0..4) {
        0 => ("draft", Value::Null),
        1 => ("published", Value::Null),
        2 => ("published", json!(seconds_from_now(-3600))),
        _ => ("published", json!(seconds_from_now(3600))),
    };
    json!({"title": "A post", "status": status, "published_at": published_at, "tags": some_tags(rng)})
}

/// One write of any kind that can change a count, through `writer`.
async fn random_write(writer: &TestApp, rng: &mut StdRng, posts: &mut Vec<i64>) {
    let post = posts.get(rng.random_range(0..posts.len().max(1))).copied();
    let tag = || NAMES[rand::rng().random_range(0..NAMES.len())].to_lowercase();
    match (rng.random_range(0..10), post) {
        (0..=2, _) | (_, None) => {
            let created = writer
                .admin_post("/posts", some_post(rng))
                .await
                .expect(201);
            posts.push(created.body["id"].as_i64().unwrap());
        }
        (3, Some(id)) => {
            let tags = some_tags(rng);
            writer
                .admin_patch(&format!("/posts/{id}"), json!({"tags": tags}))
                .await;
        }
        (4, Some(id)) => {
            let status = ["draft", "published"][rng.random_range(0..2)];
            writer
                .admin_patch(&format!("/posts/{id}"), json!({"status": status}))
                .await;
        }
        (5, Some(id)) => {
            let date = seconds_from_now(rng.random_range(-7200..7200));
            writer
                .admin_patch(&format!("/posts/{id}"), json!({"published_at": date}))
                .await;
        }
        (6, Some(id)) => {
            writer.admin_delete(&format!("/posts/{id}")).await;
            if rng.random_bool(0.5) {
                writer
                    .admin_post(&format!("/posts/{id}/restore"), json!({}))
                    .await;
            }
        }
        (7, Some(id)) => {
            writer
                .admin_delete(&format!("/posts/{id}?permanent=true"))
                .await;
            posts.retain(|kept| *kept != id);
        }
        (8, _) => {
            let ids: Vec<i64> = posts
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.3))
                .collect();
            let action = ["publish", "unpublish", "delete", "restore"][rng.random_range(0..4)];
            writer
                .admin_post("/posts/bulk", json!({"ids": ids, "action": action}))
                .await;
        }
        _ => match rng.random_range(0..3) {
            0 => {
                let name = format!("{} {}", tag(), rng.random_range(0..3));
                writer
                    .admin_patch(&format!("/tags/{}", tag()), json!({"name": name}))
                    .await;
            }
            1 => {
                writer
                    .admin_delete(&format!("/tags/{}?force=true", tag()))
                    .await;
            }
            _ => {
                let path = format!("/tags/{}/merge", tag());
                writer.admin_post(&path, json!({"into": tag()})).await;
            }
        },
    }
}

async fn random_writes_are_applied_on_both_instances_and_equal_the_group_by(
    writer: TestApp,
    reader: TestApp,
) {
    let mut rng = StdRng::seed_from_u64(20261130);
    let mut posts = Vec::new();
    let mut conn = writer.connect();
    for step in 0..80 {
        random_write(&writer, &mut rng, &mut posts).await;
        let expected = group_by(&mut conn);
        assert_eq!(
            served(&reader).await,
            expected,
            "the reader after step {step}"
        );
        if step % 4 == 0 {
            assert_eq!(
                served(&writer).await,
                expected,
                "the writer after step {step}"
            );
        }
    }
    for app in [&writer, &reader] {
        assert_eq!(app.metric(RECOUNTS).await, 1.0, "counted at start-up only");
        assert!(app.metric(APPLICATIONS).await >= 20.0);
    }
}

async fn the_other_instance_counts_afresh_when_the_log_was_pruned_past_it(
    writer: TestApp,
    reader: TestApp,
) {
    writer.publish("Before", &["Kept"]).await;
    assert_eq!(served(&reader).await["kept"], (1, 1));
    writer
        .publish("Unseen by the reader", &["Kept", "Pruned"])
        .await;
    writer.publish("Also unseen", &["Pruned"]).await;
    // Every change so far is deleted from the log before the reader reads
    // it (on PostgreSQL, once no transaction anywhere is older).
    let mut conn = writer.connect();
    let mut left = i64::MAX;
    for _ in 0..100 {
        count_deltas::prune(&mut conn, now() + TimeDelta::minutes(1)).unwrap();
        left = blog_backend::on_backend!(&mut conn, c => blog_backend::schema::count_deltas::table
            .count()
            .get_result(c))
        .unwrap();
        if left == 0 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "the log was emptied");
    assert_eq!(served(&reader).await, group_by(&mut conn));
    assert_eq!(served(&reader).await["pruned"], (2, 2));
    assert_eq!(
        reader.metric(RECOUNTS).await,
        2.0,
        "start-up, then the pruned log"
    );
    // The log goes on from there.
    writer.publish("After", &["Pruned"]).await;
    assert_eq!(served(&reader).await["pruned"], (3, 3));
    assert_eq!(reader.metric(RECOUNTS).await, 2.0);
}

async fn scheduled_posts_come_due_without_a_recount(app: TestApp) {
    let due = seconds_from_now(2);
    app.create_post(
        json!({"title": "Soon", "status": "published", "published_at": due, "tags": ["Soon"]}),
    )
    .await;
    app.publish("Now", &["Soon"]).await;
    assert_eq!(served(&app).await["soon"], (1, 2));
    let public = app.get("/tags/soon").await.expect(200);
    assert_eq!(public.body["post_count"], 1);
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(served(&app).await["soon"], (2, 2));
    assert_eq!(app.get("/tags/soon").await.body["post_count"], 2);
    assert_eq!(served(&app).await, group_by(&mut app.connect()));
    assert_eq!(app.metric(RECOUNTS).await, 1.0);
    assert!(app.metric(ADVANCES).await >= 1.0);
}

/// A server process, as a [`TestApp`].
fn app_of(server: &ServerProcess, database: &TestDatabase) -> TestApp {
    TestApp {
        base: server.base(),
        client: reqwest::Client::new(),
        database: database.url.clone(),
        metrics_base: None,
    }
}

/// One of two server processes on one database is killed (SIGKILL) while
/// posts are written through it and counts read through the other: the
/// survivor's counts, kept by applying the log, equal the join, whatever
/// the kill cut short; so do the killed server's once it is started again.
async fn killed_during_writes_the_counts_stay_exact(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let mut doomed = ServerProcess::start(&database);
    let survivor = ServerProcess::start(&database);
    let (writer, reader) = (app_of(&doomed, &database), app_of(&survivor, &database));
    let writing = actix_web::rt::spawn(async move {
        let mut written = 0;
        loop {
            let body = json!({"title": format!("Post {written}"), "status": "published",
                              "tags": [format!("Tag {}", written % 7), "Every"]});
            let sent = writer
                .admin(reqwest::Method::POST, "/posts")
                .json(&body)
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => written += 1,
                _ => return written,
            }
        }
    });
    let reading = {
        let reader = reader.clone();
        actix_web::rt::spawn(async move {
            loop {
                served(&reader).await;
            }
        })
    };
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    doomed.kill();
    let written = writing.await.unwrap();
    reading.abort();
    assert!(written > 0, "posts were written before the kill");

    let expected = group_by(&mut database.connect());
    assert!(expected["every"].0 >= written);
    assert_eq!(served(&reader).await, expected);
    assert_eq!(
        reader.metric(RECOUNTS).await,
        1.0,
        "the survivor never counted afresh"
    );

    let restarted = ServerProcess::start(&database);
    assert_eq!(served(&app_of(&restarted, &database)).await, expected);
}

#[actix_web::test]
async fn sqlite_killed_during_writes_the_counts_stay_exact() {
    killed_during_writes_the_counts_stay_exact(Backend::Sqlite).await;
}

#[actix_web::test]
async fn postgres_killed_during_writes_the_counts_stay_exact() {
    killed_during_writes_the_counts_stay_exact(Backend::Postgres).await;
}
