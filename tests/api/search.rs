//! `q`: a case-insensitive substring of the title, answered through an
//! index on each backend (pg_trgm on PostgreSQL, an FTS5 trigram table on
//! SQLite) and exactly as the contract says, whatever the titles became.

use std::collections::BTreeSet;

use blog_backend::schema::posts;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{Backend, TestApp, send};

crate::on_both_backends!(search_follows_every_title_change_and_equals_the_contract);

const TITLES: [&str; 10] = [
    "Learning Rust the hard way",
    "RUSTY tools",
    "Straße und Übergang",
    "The \"quoted\" title",
    "ΑΘΗΝΑ and ἈΘῆΝΑΙ",
    "100% coverage_report",
    "trust, but verify",
    "Crusty bread",
    "Ab",
    "A café in Zürich",
];

const TERMS: [&str; 16] = [
    "rust",
    "RUST",
    "ust",
    "us",
    "r",
    "straße",
    "ÜBER",
    "\"quoted\"",
    "\"",
    "αθηνα",
    "0% c",
    "e_r",
    "café",
    "zÜrich",
    "not there",
    "ab",
];

/// The posts (not trashed) whose titles hold `term`, whatever the case.
fn expected(app: &TestApp, term: &str) -> BTreeSet<i64> {
    let mut conn = app.connect();
    let titles: Vec<(i64, String)> = blog_backend::on_backend!(&mut conn, c => posts::table
        .filter(posts::deleted_at.is_null())
        .select((posts::id, posts::title))
        .load(c))
    .unwrap();
    let term = term.to_lowercase();
    titles
        .into_iter()
        .filter(|(_, title)| title.to_lowercase().contains(&term))
        .map(|(id, _)| id)
        .collect()
}

async fn found(app: &TestApp, term: &str) -> BTreeSet<i64> {
    let request = app.admin(Method::GET, "/posts").query(&[
        ("q", term),
        ("status", "all"),
        ("per_page", "100"),
    ]);
    let page = send(request).await.expect(200).body;
    assert_eq!(
        page["total"],
        page["items"].as_array().unwrap().len(),
        "{term}"
    );
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|post| post["id"].as_i64().unwrap())
        .collect()
}

async fn search_follows_every_title_change_and_equals_the_contract(app: TestApp) {
    let mut ids = Vec::new();
    for title in TITLES {
        ids.push(app.publish(title, &[]).await["id"].as_i64().unwrap());
    }
    let check = |after: &'static str| {
        let app = &app;
        async move {
            for term in TERMS {
                assert_eq!(
                    found(app, term).await,
                    expected(app, term),
                    "{term:?} after {after}"
                );
            }
        }
    };
    check("creating").await;
    assert_eq!(found(&app, "rust").await.len(), 4);

    // Retitled, trashed, deleted: the index follows.
    app.admin_patch(
        &format!("/posts/{}", ids[0]),
        json!({"title": "Learning Go instead"}),
    )
    .await
    .expect(200);
    app.admin_patch(
        &format!("/posts/{}", ids[8]),
        json!({"title": "Abstract Rust"}),
    )
    .await
    .expect(200);
    app.admin_delete(&format!("/posts/{}", ids[1]))
        .await
        .expect(204);
    app.admin_delete(&format!("/posts/{}?permanent=true", ids[7]))
        .await
        .expect(204);
    check("changing titles").await;
    assert_eq!(found(&app, "rust").await, BTreeSet::from([ids[6], ids[8]]));

    app.admin_post(&format!("/posts/{}/restore", ids[1]), json!({}))
        .await
        .expect(200);
    check("restoring").await;
}

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// The index that answers a search on each backend can answer it: the
/// plan of a title search names it when a full scan is ruled out.
fn the_search_index_serves_the_search(backend: Backend) {
    let Some(database) = crate::helpers::TestDatabase::create(backend) else {
        return;
    };
    let mut conn = database.connect();
    let plan: Vec<String> = match &mut conn {
        blog_backend::db::DbConn::Postgres(c) => {
            diesel::sql_query("SET enable_seqscan = off")
                .execute(c)
                .unwrap();
            diesel::dsl::sql::<diesel::sql_types::Text>(
                "EXPLAIN SELECT id FROM posts WHERE lower(title) LIKE '%rust%'",
            )
            .load(c)
            .unwrap()
        }
        blog_backend::db::DbConn::Sqlite(c, _) => {
            let sql = "EXPLAIN QUERY PLAN SELECT id FROM posts WHERE id IN \
                       (SELECT rowid FROM post_titles WHERE post_titles MATCH '\"rust\"')";
            let rows: Vec<PlanRow> = diesel::sql_query(sql).load(c).unwrap();
            rows.into_iter().map(|row| row.detail).collect()
        }
    };
    let index = match backend {
        Backend::Postgres => "posts_title_trigrams",
        Backend::Sqlite => "VIRTUAL TABLE INDEX",
    };
    assert!(plan.iter().any(|line| line.contains(index)), "{plan:#?}");
}

#[test]
fn sqlite_the_search_index_serves_the_search() {
    the_search_index_serves_the_search(Backend::Sqlite);
}

#[test]
fn postgres_the_search_index_serves_the_search() {
    the_search_index_serves_the_search(Backend::Postgres);
}
