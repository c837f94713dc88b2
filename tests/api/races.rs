//! Races decided in the database, staged with a second connection that
//! holds a transaction open while the service works.

use std::time::{Duration, Instant};

use blog_backend::db::DbConn;
use blog_backend::domain::audience::Identity;
use blog_backend::domain::tag_name::TagName;
use blog_backend::services::ServiceError;
use blog_backend::services::tags::{self, NewTag, TagUpdate};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::helpers::{Backend, TestDatabase};

/// Waits until a session of this database waits for a lock (PostgreSQL), or
/// a while (SQLite, whose writers wait in a busy loop it does not show).
fn until_someone_waits_for_a_lock(conn: &mut DbConn) {
    #[derive(QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let DbConn::Postgres(c) = conn else {
        std::thread::sleep(Duration::from_millis(300));
        return;
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let waiting: Waiting = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result(c)
        .unwrap();
        if waiting.n > 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no session came to wait for a lock");
}

/// A rename checks that no other tag has the name, then writes it; a tag
/// created with that name in between makes the write fail. The rename then
/// runs again, and answers the conflict with the slug of the tag that won.
fn a_rename_that_loses_the_race_for_a_name_names_the_winner(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let mut renamer = database.connect();
    let mut winner = database.connect();
    let new_tag = NewTag {
        name: TagName::parse("Old name").unwrap(),
        slug: None,
        details: Default::default(),
    };
    tags::create(&mut renamer, new_tag, &Identity::OWNER).unwrap();
    let begin = match backend {
        Backend::Postgres => "BEGIN",
        Backend::Sqlite => "BEGIN IMMEDIATE",
    };
    blog_backend::on_backend!(&mut winner, c => c.batch_execute(&format!(
        "{begin}; INSERT INTO tags (name, name_key, slug, created_at) \
         VALUES ('Contested', 'contested', 'the-winner', '2026-11-30 00:00:00')"
    )))
    .unwrap();
    let rename = std::thread::spawn(move || {
        let update = TagUpdate {
            name: Some(TagName::parse("contested").unwrap()),
            ..Default::default()
        };
        tags::update(&mut renamer, "old-name", update, &Identity::OWNER)
    });
    until_someone_waits_for_a_lock(&mut winner);
    blog_backend::on_backend!(&mut winner, c => c.batch_execute("COMMIT")).unwrap();
    match rename.join().unwrap() {
        Err(ServiceError::TagNameTaken { slug }) => assert_eq!(slug, "the-winner"),
        other => panic!("expected the name to be taken, got {other:?}"),
    }
}

mod sqlite {
    #[test]
    fn a_rename_that_loses_the_race_for_a_name_names_the_winner() {
        super::a_rename_that_loses_the_race_for_a_name_names_the_winner(super::Backend::Sqlite)
    }
}

mod postgres {
    #[test]
    fn a_rename_that_loses_the_race_for_a_name_names_the_winner() {
        super::a_rename_that_loses_the_race_for_a_name_names_the_winner(super::Backend::Postgres)
    }
}
