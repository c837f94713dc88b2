//! Rules written twice, in SQL and in Rust, held against each other on a
//! real database of each backend: who sees a post, and who changes it.

use std::collections::BTreeSet;

use blog_backend::db::DbConn;
use blog_backend::db::visibility::{
    changeable_by_owner, is_changeable_by, is_scheduled, is_seen_by, is_visible, owner_of_scope,
    scheduled, seen_by_owner, visible,
};
use blog_backend::domain::audience::PostScope;
use blog_backend::domain::people::OWNER_ID;
use blog_backend::domain::time::now;
use blog_backend::models::{NewPostRow, PostRow, PostStatus};
use blog_backend::schema::posts;
use chrono::TimeDelta;
use diesel::prelude::*;

use crate::helpers::{Backend, TestDatabase};

/// Every kind of post the rule tells apart: each status, with no date, a
/// date long past, a date exactly now, a date to come; trashed or not.
fn write_every_kind_of_post(conn: &mut DbConn) -> chrono::NaiveDateTime {
    let now = now();
    let dates = [
        None,
        Some(now - TimeDelta::days(30)),
        Some(now),
        Some(now + TimeDelta::seconds(1)),
    ];
    let mut number = 0;
    for status in [PostStatus::Draft, PostStatus::Published] {
        for published_at in dates {
            for trashed in [false, true] {
                number += 1;
                let slug = format!("post-{number}");
                let row = NewPostRow {
                    title: "A post",
                    slug: &slug,
                    body: "",
                    excerpt: None,
                    status,
                    published_at,
                    created_at: now,
                    updated_at: now,
                    author_id: OWNER_ID,
                };
                let deleted_at = trashed.then_some(now);
                blog_backend::on_backend!(&mut *conn, c => {
                    let id: i64 = diesel::insert_into(posts::table)
                        .values(&row)
                        .returning(posts::id)
                        .get_result(c)
                        .unwrap();
                    diesel::update(posts::table.find(id))
                        .set(posts::deleted_at.eq(deleted_at))
                        .execute(c)
                        .unwrap();
                });
            }
        }
    }
    now
}

fn visibility_is_the_same_rule_in_sql_and_in_rust(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let conn = &mut database.connect();
    let now = write_every_kind_of_post(conn);
    let (rows, visible_in_sql, scheduled_in_sql) = blog_backend::on_backend!(&mut *conn, c => {
        let rows: Vec<PostRow> = posts::table.select(PostRow::as_select()).load(c).unwrap();
        let visible: BTreeSet<i64> = posts::table
            .filter(visible(now))
            .select(posts::id)
            .load::<i64>(c)
            .unwrap()
            .into_iter()
            .collect();
        let scheduled: BTreeSet<i64> = posts::table
            .filter(scheduled(now))
            .select(posts::id)
            .load::<i64>(c)
            .unwrap()
            .into_iter()
            .collect();
        (rows, visible, scheduled)
    });
    assert_eq!(rows.len(), 16);
    let visible_in_rust: BTreeSet<i64> = rows
        .iter()
        .filter(|post| is_visible(post, now))
        .map(|post| post.id)
        .collect();
    let scheduled_in_rust: BTreeSet<i64> = rows
        .iter()
        .filter(|post| is_scheduled(post, now))
        .map(|post| post.id)
        .collect();
    assert_eq!(visible_in_sql, visible_in_rust);
    assert_eq!(scheduled_in_sql, scheduled_in_rust);
    // Published and untrashed: dated by now (two kinds) or later (one).
    assert_eq!((visible_in_sql.len(), scheduled_in_sql.len()), (2, 1));
}

/// Which posts a contributor or an author sees and may change: as lists of
/// their own posts and bulk actions pick them, and as single-post routes
/// check them.
fn scopes_are_the_same_rule_in_sql_and_in_rust(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let conn = &mut database.connect();
    let now = write_every_kind_of_post(conn);
    let scopes = [
        PostScope::Own(OWNER_ID),
        PostScope::OwnDrafts(OWNER_ID),
        PostScope::Own(OWNER_ID + 1),
        PostScope::OwnDrafts(OWNER_ID + 1),
    ];
    let mut sizes = Vec::new();
    for scope in scopes {
        let owner = owner_of_scope(scope).expect("a scope of one user's posts");
        let (rows, in_sql, seen_in_sql) = blog_backend::on_backend!(&mut *conn, c => {
            let rows: Vec<PostRow> = posts::table.select(PostRow::as_select()).load(c).unwrap();
            let in_sql: BTreeSet<i64> = posts::table
                .filter(changeable_by_owner(owner.user_id, owner.drafts_only))
                .select(posts::id)
                .load::<i64>(c)
                .unwrap()
                .into_iter()
                .collect();
            let seen_in_sql: BTreeSet<i64> = posts::table
                .filter(seen_by_owner(owner.user_id, owner.drafts_only).or(visible(now)))
                .select(posts::id)
                .load::<i64>(c)
                .unwrap()
                .into_iter()
                .collect();
            (rows, in_sql, seen_in_sql)
        });
        let in_rust: BTreeSet<i64> = rows
            .iter()
            .filter(|post| is_changeable_by(scope, post))
            .map(|post| post.id)
            .collect();
        let seen_in_rust: BTreeSet<i64> = rows
            .iter()
            .filter(|post| is_seen_by(Some(scope), post, now))
            .map(|post| post.id)
            .collect();
        assert_eq!(in_sql, in_rust, "{scope:?}");
        assert_eq!(seen_in_sql, seen_in_rust, "{scope:?}");
        sizes.push((in_sql.len(), seen_in_sql.len()));
    }
    // Every post is the owner's: an author sees and changes all 16; a
    // contributor sees the drafts (8) and the visible (2), and changes the
    // drafts with no date, trashed or not (2). Others see the visible.
    assert_eq!(sizes, [(16, 16), (2, 10), (0, 2), (0, 2)]);
}

mod sqlite {
    #[test]
    fn visibility_is_the_same_rule_in_sql_and_in_rust() {
        super::visibility_is_the_same_rule_in_sql_and_in_rust(super::Backend::Sqlite)
    }

    #[test]
    fn scopes_are_the_same_rule_in_sql_and_in_rust() {
        super::scopes_are_the_same_rule_in_sql_and_in_rust(super::Backend::Sqlite)
    }
}

mod postgres {
    #[test]
    fn visibility_is_the_same_rule_in_sql_and_in_rust() {
        super::visibility_is_the_same_rule_in_sql_and_in_rust(super::Backend::Postgres)
    }

    #[test]
    fn scopes_are_the_same_rule_in_sql_and_in_rust() {
        super::scopes_are_the_same_rule_in_sql_and_in_rust(super::Backend::Postgres)
    }
}
