//! Pages past the first seek to their first post, found in memory, instead
//! of counting past the posts before them: every page of the public and
//! the admin list equals the page `LIMIT … OFFSET …` gives, after every
//! kind of write, through the instance that did not write.

use blog_backend::schema::posts;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{TestApp, seconds_from_now};

crate::on_both_backends!(two instances; every_page_is_the_page_offset_gives);

const PER_PAGE: i64 = 3;

/// The ids of every page of a list, as the server gives them, and its total.
async fn pages(app: &TestApp, admin: bool) -> (Vec<Vec<i64>>, i64) {
    let mut pages = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let path = format!("/posts?per_page={PER_PAGE}&page={page}");
        let reply = match admin {
            true => app.admin_get(&path).await,
            false => app.get(&path).await,
        };
        let body = reply.expect(200).body;
        total = body["total"].as_i64().unwrap();
        let ids: Vec<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|post| post["id"].as_i64().unwrap())
            .collect();
        if ids.is_empty() {
            break;
        }
        pages.push(ids);
    }
    (pages, total)
}

/// The same from the database, in the contract's order.
fn offset_pages(app: &TestApp, admin: bool) -> (Vec<Vec<i64>>, i64) {
    let mut conn = app.connect();
    let now = blog_backend::domain::time::now();
    let ids: Vec<i64> = blog_backend::on_backend!(&mut conn, c => {
        let untrashed = posts::table.filter(posts::deleted_at.is_null()).into_boxed();
        match admin {
            true => untrashed
                .order_by((posts::published_at.is_null().desc(), posts::published_at.desc(), posts::id.desc()))
                .select(posts::id)
                .load(c),
            false => untrashed
                .filter(posts::status.eq("published"))
                .filter(posts::published_at.le(now))
                .order_by((posts::published_at.desc(), posts::id.desc()))
                .select(posts::id)
                .load(c),
        }
    })
    .unwrap();
    let total = ids.len() as i64;
    (
        ids.chunks(PER_PAGE as usize).map(<[i64]>::to_vec).collect(),
        total,
    )
}

async fn expect_every_page(reader: &TestApp, after: &str) {
    for admin in [false, true] {
        assert_eq!(
            pages(reader, admin).await,
            offset_pages(reader, admin),
            "admin {admin} after {after}"
        );
    }
}

fn post(title: &str, status: &str, published_at: Value) -> Value {
    json!({"title": title, "status": status, "published_at": published_at})
}

async fn every_page_is_the_page_offset_gives(writer: TestApp, reader: TestApp) {
    let mut ids = Vec::new();
    for i in 0..12 {
        // Several posts share a date: the id breaks the tie.
        let date = seconds_from_now(-3600 * (i / 3));
        let created = writer
            .create_post(post(&format!("Post {i}"), "published", json!(date)))
            .await;
        ids.push(created["id"].as_i64().unwrap());
    }
    writer
        .create_post(post("Undated draft", "draft", Value::Null))
        .await;
    writer
        .create_post(post("Dated draft", "draft", json!(seconds_from_now(-60))))
        .await;
    writer
        .create_post(post(
            "Scheduled",
            "published",
            json!(seconds_from_now(3600)),
        ))
        .await;
    expect_every_page(&reader, "creating").await;

    writer
        .admin_delete(&format!("/posts/{}", ids[4]))
        .await
        .expect(204);
    writer
        .admin_patch(
            &format!("/posts/{}", ids[7]),
            json!({"published_at": seconds_from_now(-99999)}),
        )
        .await
        .expect(200);
    writer
        .admin_patch(&format!("/posts/{}", ids[9]), json!({"status": "draft"}))
        .await
        .expect(200);
    writer
        .admin_delete(&format!("/posts/{}?permanent=true", ids[1]))
        .await
        .expect(204);
    expect_every_page(&reader, "trashing, redating, unpublishing, deleting").await;

    writer
        .admin_post(&format!("/posts/{}/restore", ids[4]), json!({}))
        .await
        .expect(200);
    writer
        .admin_post(
            "/posts/bulk",
            json!({"ids": [ids[2], ids[3]], "action": "unpublish"}),
        )
        .await
        .expect(200);
    expect_every_page(&reader, "restoring, bulk unpublishing").await;
    // Far past the end: empty, with the total.
    let past = reader
        .get("/posts?per_page=3&page=1000")
        .await
        .expect(200)
        .body;
    assert_eq!(past["items"], json!([]));
    assert_eq!(past["total"], offset_pages(&reader, false).1);
}
