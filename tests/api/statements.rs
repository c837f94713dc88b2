//! Exact statement counts where the contract bounds them, counted with
//! Diesel's instrumentation on a real connection of each backend.

use std::sync::{Arc, Mutex};

use blog_backend::cache::{Cache, TagCounts, TagListQuery, TagSort};
use blog_backend::db::DbConn;
use blog_backend::db::posts::PostKey;
use blog_backend::domain::audience::{Audience, Identity, PostScope};
use blog_backend::domain::page::{Page, PageRequest};
use blog_backend::domain::tag_name::TagName;
use blog_backend::domain::text::PostTitle;
use blog_backend::domain::time::now;
use blog_backend::models::PostStatus;
use blog_backend::models::TagWithCounts;
use blog_backend::services::ServiceError;
use blog_backend::services::posts::{
    self, BulkAction, GetPost, ListPosts, NewPost, PostFilter, PostUpdate,
};
use blog_backend::services::tag_names::{self, NewTags};
use blog_backend::services::tags::{GetTag, aliases};
use blog_backend::services::webhooks::Events;
use diesel::connection::{InstrumentationEvent, SimpleConnection};

use crate::helpers::{Backend, TestDatabase};
use crate::tag_lists;

/// Records the SQL of every statement a connection runs.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    fn watch(&self, conn: &mut DbConn) {
        let seen = self.0.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                seen.lock().unwrap().push(query.to_string());
            }
        });
    }

    /// The statements run by `work`, leaving out transaction control.
    fn during<T>(&self, work: impl FnOnce() -> T) -> (T, Vec<String>) {
        self.0.lock().unwrap().clear();
        let result = work();
        let seen = self
            .0
            .lock()
            .unwrap()
            .drain(..)
            .filter(|sql| !is_transaction_control(sql))
            .collect();
        (result, seen)
    }
}

fn is_transaction_control(sql: &str) -> bool {
    let sql = sql.trim_start().to_ascii_uppercase();
    ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"]
        .iter()
        .any(|word| sql.starts_with(word))
}

fn names(prefix: &str, count: usize) -> Vec<TagName> {
    (0..count)
        .map(|i| TagName::parse(&format!("{prefix} {i}")).unwrap())
        .collect()
}

fn with_connection(backend: Backend, test: impl FnOnce(&mut DbConn, &Statements)) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let mut conn = database.connect();
    let statements = Statements::default();
    statements.watch(&mut conn);
    test(&mut conn, &statements);
}

fn get_or_create(conn: &mut DbConn, names: &[TagName]) -> Vec<String> {
    conn.transaction(|conn| {
        let mut events = Events::new();
        tag_names::get_or_create(conn, names, now(), NewTags::Create, &mut events)
    })
    .unwrap()
    .into_iter()
    .map(|tag| tag.name)
    .collect()
}

fn get_or_create_is_constant_in_the_number_of_names(backend: Backend) {
    with_connection(backend, |conn, statements| {
        let (created, one_new) = statements.during(|| get_or_create(conn, &names("solo", 1)));
        assert_eq!(created, ["solo 0"]);
        let (created, many_new) = statements.during(|| get_or_create(conn, &names("many", 20)));
        assert_eq!(created.len(), 20);
        assert_eq!(one_new.len(), many_new.len(), "{many_new:#?}");
        // Look up by key, one insert with the slugs' bases.
        assert_eq!(many_new.len(), 2, "{many_new:#?}");
        assert_eq!(
            many_new.iter().filter(|sql| sql.contains("INSERT")).count(),
            1
        );

        // Names that all exist take one SELECT, however many.
        let (_, existing) = statements.during(|| get_or_create(conn, &names("many", 20)));
        assert_eq!(existing.len(), 1, "{existing:#?}");
        // So do aliases: the same SELECT finds them; a tag named twice, by
        // its name and an alias, comes once.
        for (i, alias) in names("alias", 20).iter().enumerate() {
            let slug = format!("many-{i}");
            aliases::add(conn, &slug, alias, &Identity::OWNER).unwrap();
        }
        let (resolved, by_alias) = statements.during(|| get_or_create(conn, &names("alias", 20)));
        assert_eq!(by_alias.len(), 1, "{by_alias:#?}");
        assert_eq!(resolved, get_or_create(conn, &names("many", 20)));
        let both = [names("alias", 1), names("many", 2)].concat();
        let (resolved, _) = statements.during(|| get_or_create(conn, &both));
        assert_eq!(resolved, ["many 0", "many 1"]);
        // A mix of old and new costs the same as all new.
        let mut mixed = names("many", 10);
        mixed.extend(names("fresh", 10));
        let (created, mixed) = statements.during(|| get_or_create(conn, &mixed));
        assert_eq!(created.len(), 20);
        assert_eq!(mixed.len(), 2, "{mixed:#?}");

        // New names whose slugs are taken (`many-0` by "many 0"): the first
        // insert skips them, then clashing slugs are looked up and they are
        // inserted with free ones; as many statements for one as for many.
        let clashing = |count| {
            (0..count)
                .map(|i| TagName::parse(&format!("many-{i}")).unwrap())
                .collect::<Vec<_>>()
        };
        let (_, one_clash) = statements.during(|| get_or_create(conn, &clashing(1)));
        let (created, many_clash) = statements.during(|| get_or_create(conn, &clashing(20)));
        assert_eq!(created.len(), 20);
        // By key, insert, by key (a concurrent request's), slugs, insert.
        assert_eq!(one_clash.len(), 5, "{one_clash:#?}");
        assert_eq!(many_clash.len(), one_clash.len(), "{many_clash:#?}");
    });
}

/// Writing a post: as many statements for one tag as for twenty. An edit
/// that neither publishes nor dates the post reads nothing before its
/// UPDATE, and replacing tags writes the links in one statement on
/// PostgreSQL (SQLite, which cannot delete in a `WITH`, takes two).
fn post_writes_are_constant_in_the_number_of_tags(backend: Backend) {
    with_connection(backend, |conn, statements| {
        let (_, create_one) = statements.during(|| publish(conn, "One tag", names("w", 1)));
        let (id, create_many) = statements.during(|| publish(conn, "Many tags", names("w", 20)));
        assert_eq!(create_one.len(), create_many.len(), "{create_many:#?}");
        // The author, tags by key, the new ones, then the post with its
        // links: one statement on PostgreSQL; SQLite inserts the links apart.
        // Last, its events (published, the tags created) in the outbox.
        let expected = match backend {
            Backend::Postgres => 3 + 1 + 1,
            Backend::Sqlite => 3 + 2 + 1,
        };
        assert_eq!(create_many.len(), expected, "{create_many:#?}");

        let retag = |count| PostUpdate {
            tags: Some(names("w", count)),
            ..Default::default()
        };
        let (_, replace_one) = statements.during(|| change(conn, id, retag(1)));
        let (_, replace_many) = statements.during(|| change(conn, id, retag(20)));
        assert_eq!(replace_one.len(), replace_many.len(), "{replace_many:#?}");
        // The post, tags by key, the links, the author, and its
        // `post.updated` in the outbox.
        let links = match backend {
            Backend::Postgres => 1,
            Backend::Sqlite => 2,
        };
        assert_eq!(replace_many.len(), 3 + links + 1, "{replace_many:#?}");
        assert!(replace_many[0].starts_with("UPDATE"), "{replace_many:#?}");

        // Publishing reads the post first: an undated one is dated now.
        let publish_again = PostUpdate {
            status: Some(PostStatus::Published),
            ..Default::default()
        };
        let (_, publishing) = statements.during(|| change(conn, id, publish_again));
        // The post for update, the UPDATE, the post with its author and
        // tags, its `post.updated` in the outbox.
        assert_eq!(publishing.len(), 4, "{publishing:#?}");
    });
}

fn a_page_of_posts_with_their_tags_takes_three_statements(backend: Backend) {
    with_connection(backend, |conn, statements| {
        for i in 0..25 {
            posts::create(
                conn,
                NewPost {
                    title: PostTitle::parse(&format!("Post {i}")).unwrap(),
                    body: String::new(),
                    excerpt: None,
                    slug: None,
                    status: PostStatus::Published,
                    published_at: None,
                    tags: names(&format!("tag {}", i % 7), 5),
                    author: None,
                },
                &Identity::OWNER,
            )
            .unwrap();
        }
        let page = PageRequest {
            page: 1,
            per_page: 20,
        };
        let cache = Cache::new();
        // As a request does: the counts checked (or taken), then the list.
        let list = |conn: &mut DbConn, filter: &PostFilter| {
            let read = ListPosts {
                filter: filter.clone(),
                audience: Audience::Public,
                page,
            };
            cache.read_on(conn, read).unwrap()
        };
        // The counts in memory are taken once (until a write changes them).
        list(conn, &PostFilter::default());
        let tagged = PostFilter {
            all_tags: vec!["tag-3-0".into()],
            ..Default::default()
        };
        // Some users' posts are counted in a statement of their own.
        let by_owner = PostFilter {
            authors: vec!["owner".into()],
            ..Default::default()
        };
        let mut edits = 0;
        for filter in [PostFilter::default(), tagged, by_owner] {
            let (listed, first) = statements.during(|| list(conn, &filter));
            assert!(listed.items.iter().all(|post| post.tags.len() == 5));
            let counted_apart = usize::from(!filter.authors.is_empty());
            assert!(first.len() <= 3 + counted_apart, "{first:#?}");
            // Until something is written, the page itself is remembered.
            let (again, run) = statements.during(|| list(conn, &filter));
            assert_eq!(again.total, listed.total);
            assert_eq!(run.len(), 1, "the check of the counts: {run:#?}");
            // An edit that changes no count: the page is read again.
            edits += 1;
            change(
                conn,
                listed.items[0].post.id,
                PostUpdate {
                    body: Some(format!("Edit {edits}")),
                    ..Default::default()
                },
            );
            let (edited, run) = statements.during(|| list(conn, &filter));
            assert_eq!(edited.items[0].post.body, format!("Edit {edits}"));
            assert_eq!(
                run.len(),
                3,
                "the check of the counts, the page, its tags: {run:#?}"
            );
            // The total is remembered with the counts: no count this time.
            assert!(!run.iter().any(|sql| sql.contains("count(")), "{run:#?}");
        }
        let (listed, _) = statements.during(|| list(conn, &PostFilter::default()));
        assert_eq!((listed.items.len(), listed.total), (20, 25));

        let (tags, run) = statements.during(|| {
            let page = PageRequest {
                page: 1,
                per_page: 50,
            };
            tag_lists::from_sql(conn, &Default::default(), page, now())
        });
        assert_eq!(tags.total, 35);
        assert_eq!(run.len(), 2, "the page of tags and the total: {run:#?}");
        assert_eq!(run.iter().filter(|sql| sql.contains("GROUP BY")).count(), 1);
    });
}

fn new_post(title: String, tags: Vec<TagName>) -> NewPost {
    NewPost {
        title: PostTitle::parse(&title).unwrap(),
        body: String::new(),
        excerpt: None,
        slug: None,
        status: PostStatus::Draft,
        published_at: None,
        tags,
        author: None,
    }
}

fn bulk_actions_take_as_many_statements_for_one_id_as_for_many(backend: Backend) {
    with_connection(backend, |conn, statements| {
        let ids: Vec<i64> = (0..200)
            .map(|i| {
                posts::create(
                    conn,
                    new_post(format!("Post {i}"), names("old", 2)),
                    &Identity::OWNER,
                )
                .unwrap()
                .post
                .id
            })
            .collect();
        // The tags exist beforehand, so both calls below find them.
        get_or_create(conn, &names("added", 3));
        let actions = [
            BulkAction::Publish,
            BulkAction::Unpublish,
            BulkAction::Delete,
            BulkAction::Restore,
            BulkAction::AddTags(names("added", 3)),
            BulkAction::RemoveTags(names("old", 1)),
        ];
        for action in &actions {
            let (one, for_one) = statements
                .during(|| posts::bulk(conn, &ids[..1], action, &Identity::OWNER).unwrap());
            let (many, for_many) = statements
                .during(|| posts::bulk(conn, &ids[1..], action, &Identity::OWNER).unwrap());
            assert_eq!((one.updated, many.updated), (1, 199), "{action:?}");
            assert_eq!(for_one.len(), for_many.len(), "{action:?}: {for_many:#?}");
        }
        // Publishing is a count of the matches and one UPDATE, with the
        // posts read before and after it for their events, and the events
        // in the outbox in one more.
        let (_, publish) = statements
            .during(|| posts::bulk(conn, &ids, &BulkAction::Publish, &Identity::OWNER).unwrap());
        assert_eq!(publish.len(), 5, "{publish:#?}");
    });
}

fn publish(conn: &mut DbConn, title: &str, tags: Vec<TagName>) -> i64 {
    let mut post = new_post(title.to_owned(), tags);
    post.status = PostStatus::Published;
    posts::create(conn, post, &Identity::OWNER).unwrap().post.id
}

fn change(conn: &mut DbConn, id: i64, update: PostUpdate) {
    posts::update(conn, id, update, None, &Identity::OWNER).unwrap();
}

fn counts_in_memory_take_one_statement_while_no_count_changes(backend: Backend) {
    with_connection(backend, |conn, statements| {
        let cache = Cache::new();
        let id = publish(conn, "Counted", names("counted", 3));
        // A tag with its counts, read as a request reads it.
        let tag = |conn: &mut DbConn, slug: &str| {
            let read = GetTag {
                slug: slug.into(),
                authenticated: false,
            };
            cache.read_on(conn, read).unwrap()
        };

        let (first, recount) = statements.during(|| tag(conn, "counted-0"));
        // The sum of changes; then, in one snapshot, the sum again, where
        // the count deltas stand, the GROUP BY join of tags and that of
        // authors, the visible posts, what is scheduled (links, posts,
        // authors' posts) and the two orders of lists.
        assert_eq!(recount.len(), 12, "{recount:#?}");
        assert_eq!(
            recount
                .iter()
                .filter(|sql| is_the_group_by_join(sql))
                .count(),
            1
        );
        assert_eq!(first.post_count, 1);

        let (_, hit) = statements.during(|| tag(conn, "counted-0"));
        assert_eq!(hit.len(), 1, "only the sum of changes: {hit:#?}");

        // Edits that no count depends on keep the counts.
        let retitle = PostUpdate {
            title: Some(PostTitle::parse("Still counted").unwrap()),
            body: Some("New body".into()),
            ..Default::default()
        };
        change(conn, id, retitle);
        let (_, hit) = statements.during(|| tag(conn, "counted-0"));
        assert_eq!(hit.len(), 1, "{hit:#?}");

        // Each of these can change a count, and is seen by the next read.
        let unpublish = PostUpdate {
            status: Some(PostStatus::Draft),
            ..Default::default()
        };
        change(conn, id, unpublish);
        let (after, caught_up) = statements.during(|| tag(conn, "counted-0"));
        // Not counted afresh: the sum; then, in one snapshot, the sum
        // again, where the count deltas stand and the deltas since.
        assert_eq!(caught_up.len(), 4, "{caught_up:#?}");
        assert!(
            !caught_up.iter().any(|sql| is_the_group_by_join(sql)),
            "{caught_up:#?}"
        );
        assert_eq!(after.post_count, 0);
        assert_eq!(after.total_count, 1);

        let retag = PostUpdate {
            tags: Some(names("other", 1)),
            ..Default::default()
        };
        change(conn, id, retag);
        // A new tag's row is read with the deltas.
        let (other, caught_up) = statements.during(|| tag(conn, "other-0"));
        assert_eq!(caught_up.len(), 5, "{caught_up:#?}");
        assert_eq!(other.total_count, 1);
        assert_eq!(tag(conn, "counted-0").total_count, 0);

        posts::trash(conn, id, &Identity::OWNER).unwrap();
        assert_eq!(tag(conn, "other-0").total_count, 0);
    });
}

/// Whether a statement is the `GROUP BY` join that counts every tag.
fn is_the_group_by_join(sql: &str) -> bool {
    sql.contains("GROUP BY") && sql.contains("LEFT OUTER JOIN") && sql.contains("post_tags")
}

/// A post read is the check of the sums and one statement; a read by
/// a request that found the same sums is the check alone, for either
/// audience, until a write.
fn a_post_with_its_tags_is_one_statement(backend: Backend) {
    with_connection(backend, |conn, statements| {
        let cache = Cache::new();
        let id = publish(conn, "Read often", names("read", 4));
        let draft = posts::create(
            conn,
            new_post("Unseen".into(), Vec::new()),
            &Identity::OWNER,
        )
        .unwrap()
        .post
        .id;
        let read = |conn: &mut DbConn, id: i64, scope: Option<PostScope>| {
            statements.during(|| {
                let read = GetPost {
                    key: PostKey::Id(id),
                    scope,
                };
                cache.read_on(conn, read)
            })
        };
        let (post, first) = read(conn, id, None);
        let tags: Vec<String> = post.unwrap().tags.iter().map(|t| t.name.clone()).collect();
        assert_eq!(tags, ["read 0", "read 1", "read 2", "read 3"]);
        assert_eq!(first.len(), 2, "the sums, then the post: {first:#?}");
        for scope in [None, Some(PostScope::Every)] {
            let (post, again) = read(conn, id, scope);
            assert_eq!(post.unwrap().tags.len(), 4);
            assert_eq!(again.len(), 1, "the sums alone: {again:#?}");
        }

        // Remembered for the admin, and still not the public's.
        assert!(read(conn, draft, Some(PostScope::Every)).0.is_ok());
        let (hidden, run) = read(conn, draft, None);
        assert!(matches!(hidden, Err(ServiceError::NotFound(_))));
        assert_eq!(run.len(), 1, "{run:#?}");

        let retitle = PostUpdate {
            title: Some(PostTitle::parse("Read again").unwrap()),
            ..Default::default()
        };
        change(conn, id, retitle);
        let (post, after_edit) = read(conn, id, None);
        assert_eq!(post.unwrap().post.title, "Read again");
        assert_eq!(after_edit.len(), 2, "{after_edit:#?}");

        let untagged = publish(conn, "No tags", Vec::new());
        let (post, _) = read(conn, untagged, None);
        assert!(post.unwrap().tags.is_empty());
    });
}

/// A public page of a tag walks the tag's links in public order (an index
/// range) on both backends. An admin's list on SQLite, whose planner cannot
/// weigh the two, walks the newest posts for a common tag and gathers the
/// posts of a rare one. Every way gives the same posts.
fn tag_pages_are_found_the_cheaper_way(backend: Backend) {
    with_connection(backend, |conn, statements| {
        for i in 0..60 {
            let mut tags = names("common", 1);
            if i % 20 == 0 {
                tags.extend(names("rare", 1));
            }
            publish(conn, &format!("Post {i}"), tags);
        }
        let cache = Cache::new();
        let page = PageRequest {
            page: 1,
            per_page: 5,
        };
        for audience in [Audience::Public, Audience::Admin] {
            for (slug, expected) in [
                (
                    "common-0",
                    ["Post 59", "Post 58", "Post 57", "Post 56", "Post 55"].as_slice(),
                ),
                ("rare-0", ["Post 40", "Post 20", "Post 0"].as_slice()),
            ] {
                let filter = PostFilter {
                    all_tags: vec![slug.into()],
                    ..Default::default()
                };
                let (listed, run) = statements.during(|| {
                    let read = ListPosts {
                        filter: filter.clone(),
                        audience,
                        page,
                    };
                    cache.read_on(conn, read).unwrap()
                });
                let titles: Vec<&str> =
                    listed.items.iter().map(|p| p.post.title.as_str()).collect();
                assert_eq!(titles, expected, "{audience:?}");
                let page_statement = run
                    .iter()
                    .find(|sql| sql.contains("ORDER BY") && sql.contains("LIMIT"))
                    .expect("a page statement");
                let walked_links = ["\"public_at\" <=", "`public_at` <="]
                    .iter()
                    .any(|bound| page_statement.contains(bound));
                let walked_posts = page_statement.contains("EXISTS");
                let public = audience == Audience::Public;
                let should_walk_posts = !public && backend == Backend::Sqlite && slug == "common-0";
                assert_eq!(
                    (walked_links, walked_posts),
                    (public, should_walk_posts),
                    "{audience:?} {slug}: {page_statement}"
                );
            }
        }
    });
}

/// What `sql`, a `SELECT COUNT(*) AS n`, counts.
fn count_of(conn: &mut DbConn, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Count> =
        blog_backend::on_backend!(&mut *conn, c => diesel::sql_query(sql).load(c)).unwrap();
    rows[0].n
}

/// Every link carries its post's place in public lists, whatever changed
/// the post: the service (publish, schedule, unpublish, trash, restore,
/// re-tag) or SQL.
fn links_carry_their_posts_public_order(backend: Backend) {
    with_connection(backend, |conn, _| {
        let mismatched = |conn: &mut DbConn| {
            count_of(
                conn,
                "SELECT COUNT(*) AS n FROM post_tags JOIN posts ON posts.id = post_tags.post_id \
                 WHERE post_tags.public_at IS DISTINCT FROM \
                 CASE WHEN posts.status = 'published' AND posts.deleted_at IS NULL \
                 THEN posts.published_at END",
            )
        };
        let public_links = |conn: &mut DbConn| {
            count_of(
                conn,
                "SELECT COUNT(*) AS n FROM post_tags WHERE public_at IS NOT NULL",
            )
        };
        let post = publish(conn, "Moves about", names("public", 3));
        let draft = posts::create(
            conn,
            new_post("Draft".into(), names("public", 2)),
            &Identity::OWNER,
        )
        .unwrap();
        assert_eq!((mismatched(conn), public_links(conn)), (0, 3));
        let steps: Vec<PostUpdate> = vec![
            PostUpdate {
                status: Some(PostStatus::Draft),
                ..Default::default()
            },
            PostUpdate {
                status: Some(PostStatus::Published),
                published_at: blog_backend::domain::patch::Patch::Value(
                    now() + chrono::Duration::days(3),
                ),
                ..Default::default()
            },
            PostUpdate {
                tags: Some(names("other", 2)),
                ..Default::default()
            },
            PostUpdate {
                published_at: blog_backend::domain::patch::Patch::Value(
                    now() - chrono::Duration::days(3),
                ),
                ..Default::default()
            },
        ];
        for update in steps {
            change(conn, post, update);
            assert_eq!(mismatched(conn), 0);
        }
        assert_eq!(public_links(conn), 2);
        posts::bulk(conn, &[post], &BulkAction::Delete, &Identity::OWNER).unwrap();
        assert_eq!((mismatched(conn), public_links(conn)), (0, 0));
        posts::bulk(conn, &[post], &BulkAction::Restore, &Identity::OWNER).unwrap();
        assert_eq!((mismatched(conn), public_links(conn)), (0, 2));
        let publish_all = format!(
            "UPDATE posts SET status = 'published', published_at = created_at WHERE id = {}",
            draft.post.id
        );
        blog_backend::on_backend!(&mut *conn, c => c.batch_execute(&publish_all)).unwrap();
        assert_eq!((mismatched(conn), public_links(conn)), (0, 4));
        blog_backend::on_backend!(&mut *conn, c => c
            .batch_execute("UPDATE post_tags SET public_at = NULL"))
        .unwrap();
        if backend == Backend::Postgres {
            // Written directly, the copy is put right again (SQLite keeps
            // it on the writes the service makes, and on any post change).
            assert_eq!(mismatched(conn), 0);
        }
    });
}

/// Writes made in SQL, outside the service (by an operator, say), are seen
/// too: the counting is done by triggers, TRUNCATE included.
fn counts_in_memory_see_writes_made_in_sql(backend: Backend) {
    with_connection(backend, |conn, _| {
        let cache = Cache::new();
        publish(conn, "Tagged", names("sql", 1));
        let tag = |conn: &mut DbConn| {
            let read = GetTag {
                slug: "sql-0".into(),
                authenticated: false,
            };
            cache.read_on(conn, read).unwrap()
        };
        let count = |conn: &mut DbConn| Some(tag(conn).post_count);
        assert_eq!(count(conn), Some(1));
        let clear_links = match backend {
            Backend::Postgres => "TRUNCATE post_tags",
            Backend::Sqlite => "DELETE FROM post_tags",
        };
        blog_backend::on_backend!(&mut *conn, c => c.batch_execute(clear_links)).unwrap();
        assert_eq!(count(conn), Some(0));
        blog_backend::on_backend!(&mut *conn, c => c
            .batch_execute("UPDATE tags SET name = 'SQL renamed'"))
        .unwrap();
        let renamed = tag(conn);
        assert_eq!(renamed.tag.name, "SQL renamed");

        // A transaction counts once, however many rows it writes; a change
        // counted in a savepoint that is rolled back is counted again.
        let tag_id = renamed.tag.id;
        let first = publish(conn, "Linked in SQL", Vec::new());
        let second = publish(conn, "Linked in SQL too", Vec::new());
        let link = |post: i64| {
            format!(
                "INSERT INTO post_tags (post_id, tag_id, position) VALUES ({post}, {tag_id}, 0);"
            )
        };
        let (link_first, link_second) = (link(first), link(second));
        let script = format!(
            "BEGIN; SAVEPOINT attempt; {link_first} ROLLBACK TO SAVEPOINT attempt; \
             {link_first} {link_second} COMMIT;"
        );
        blog_backend::on_backend!(&mut *conn, c => c.batch_execute(&script)).unwrap();
        assert_eq!(count(conn), Some(2));
    });
}

/// The counts in memory page, sort and filter exactly as the GROUP BY
/// query does.
fn counts_in_memory_answer_as_the_group_by_does(backend: Backend) {
    with_connection(backend, |conn, _| {
        for i in 0..30 {
            // Every third topic is internal: `#Topic 3`, `#Topic 6`, ….
            let tags = (0..(i % 6))
                .map(|k| match (i * 7 + k) % 13 {
                    n if n % 3 == 0 && n > 0 => format!("#Topic {n}"),
                    n => format!("Topic {n}"),
                })
                .map(|name| TagName::parse(&name).unwrap())
                .collect();
            let id = publish(conn, &format!("Post {i}"), tags);
            if i % 5 == 0 {
                posts::trash(conn, id, &Identity::OWNER).unwrap();
            }
        }
        get_or_create(conn, &[TagName::parse("Unused").unwrap()]);
        let now = now();
        let counts = TagCounts::take(conn, now).unwrap();
        for sort in [TagSort::Count, TagSort::Name, TagSort::Created] {
            for (min_count, authenticated) in [(0, false), (0, true), (1, false), (3, true)] {
                for prefix in [None, Some("topic 1"), Some("#"), Some("u"), Some("none")] {
                    for (page, per_page) in [(1, 50), (1, 4), (2, 4), (4, 4), (9, 4)] {
                        let query = TagListQuery {
                            sort,
                            min_count,
                            prefix: prefix.map(str::to_owned),
                            authenticated,
                        };
                        let request = PageRequest { page, per_page };
                        let from_sql = tag_lists::from_sql(conn, &query, request, now);
                        let look_up = counts.list(&query, request);
                        let summary = |page: &Page<TagWithCounts>| {
                            let items: Vec<_> = page
                                .items
                                .iter()
                                .map(|t| (t.tag.slug.clone(), t.post_count, t.total_count))
                                .collect();
                            (items, page.total)
                        };
                        assert_eq!(
                            summary(&look_up),
                            summary(&from_sql),
                            "{query:?} {request:?}"
                        );
                    }
                }
            }
        }
    });
}

/// On SQLite a title search of three characters or more asks the trigram
/// table for candidates (PostgreSQL's index serves the `LIKE` itself);
/// shorter terms, which it cannot find, are tested on the titles alone.
fn title_searches_ask_the_trigram_index(backend: Backend) {
    with_connection(backend, |conn, statements| {
        publish(conn, "Rust in production", Vec::new());
        let cache = Cache::new();
        for (term, asks_the_table) in [("rust", true), ("ru", false)] {
            let read = ListPosts {
                filter: PostFilter {
                    title_contains: Some(term.into()),
                    ..Default::default()
                },
                audience: Audience::Public,
                page: PageRequest {
                    page: 1,
                    per_page: 20,
                },
            };
            let (page, run) = statements.during(|| cache.read_on(conn, read).unwrap());
            assert_eq!(page.items.len(), 1, "{term}");
            let asked = run.iter().any(|sql| sql.contains("post_titles MATCH"));
            let expected = backend == Backend::Sqlite && asks_the_table;
            assert_eq!(asked, expected, "{term}: {run:#?}");
        }
    });
}

macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(super::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(super::Backend::Postgres) } )*
        }
    };
}

per_backend!(
    post_writes_are_constant_in_the_number_of_tags,
    bulk_actions_take_as_many_statements_for_one_id_as_for_many,
    get_or_create_is_constant_in_the_number_of_names,
    a_page_of_posts_with_their_tags_takes_three_statements,
    counts_in_memory_take_one_statement_while_no_count_changes,
    counts_in_memory_answer_as_the_group_by_does,
    a_post_with_its_tags_is_one_statement,
    tag_pages_are_found_the_cheaper_way,
    links_carry_their_posts_public_order,
    counts_in_memory_see_writes_made_in_sql,
    title_searches_ask_the_trigram_index,
);
