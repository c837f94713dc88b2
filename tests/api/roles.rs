//! The posts and tags rows of the role table, a test per cell: each row is
//! a function run once for each role. A caller signs in as a user of the
//! role; "others'" posts are the owner's. Refusals are checked to change
//! nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

const PASSWORD: &str = "correct horse battery";
const LATER: &str = "2099-01-01T00:00:00Z";

/// A signed-in user of one role.
struct Member {
    role: &'static str,
    token: String,
}

impl Member {
    async fn join(app: &TestApp, role: &'static str) -> Member {
        let email = format!("{role}@example.com");
        app.create_user(role, &email, role, PASSWORD).await;
        Member {
            role,
            token: app.sign_in(&email, PASSWORD).await,
        }
    }

    async fn call(&self, app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Reply {
        app.with_token(&self.token, method, path, body).await
    }

    /// What the role's column of a row says: contributor, author, editor,
    /// administrator.
    fn expects<T: Copy>(&self, cells: [T; 4]) -> T {
        match self.role {
            "contributor" => cells[0],
            "author" => cells[1],
            "editor" => cells[2],
            "administrator" => cells[3],
            other => panic!("no role {other}"),
        }
    }

    /// A draft of their own, never published.
    async fn draft(&self, app: &TestApp, title: &str) -> i64 {
        let post = self
            .call(app, Method::POST, "/posts", Some(json!({"title": title})))
            .await
            .expect(201);
        post.body["id"].as_i64().unwrap()
    }

    /// A post of theirs that an administrator has changed with `changes`.
    async fn post_changed_by_admin(&self, app: &TestApp, title: &str, changes: Value) -> i64 {
        let id = self.draft(app, title).await;
        app.admin_patch(&format!("/posts/{id}"), changes)
            .await
            .expect(200);
        id
    }
}

/// Asserts the status, and a problem body for an error.
#[track_caller]
fn check(reply: Reply, status: u16) -> Reply {
    match status {
        400.. => reply.expect_problem(status),
        _ => reply.expect(status),
    }
}

async fn owners_post(app: &TestApp, body: Value) -> i64 {
    app.create_post(body).await["id"].as_i64().unwrap()
}

async fn total(app: &TestApp, path: &str) -> i64 {
    app.admin_get(path).await.expect(200).body["total"]
        .as_i64()
        .unwrap()
}

macro_rules! cells {
    ($($cell:ident = $row:ident($role:literal);)*) => {
        $(
            async fn $cell(app: TestApp) {
                let member = Member::join(&app, $role).await;
                $row(&app, &member).await;
            }
        )*
        crate::on_both_backends!($($cell),*);
    };
}

cells! {
    contributor_sees_their_own_drafts = sees_posts_not_visible("contributor");
    author_sees_their_own_posts = sees_posts_not_visible("author");
    editor_sees_every_post = sees_posts_not_visible("editor");
    administrator_sees_every_post = sees_posts_not_visible("administrator");
    contributor_creates_drafts_only = creates_posts("contributor");
    author_creates_posts = creates_posts("author");
    editor_creates_posts = creates_posts("editor");
    administrator_creates_posts = creates_posts("administrator");
    contributor_edits_own_posts_never_published = edits_posts("contributor");
    author_edits_own_posts = edits_posts("author");
    editor_edits_every_post = edits_posts("editor");
    administrator_edits_every_post = edits_posts("administrator");
    contributor_never_publishes = publishes("contributor");
    author_publishes_own_posts = publishes("author");
    editor_publishes_every_post = publishes("editor");
    administrator_publishes_every_post = publishes("administrator");
    contributor_trashes_own_drafts = trashes("contributor");
    author_trashes_own_posts = trashes("author");
    editor_trashes_every_post = trashes("editor");
    administrator_trashes_every_post = trashes("administrator");
    contributor_is_refused_new_tags = names_new_tags("contributor");
    author_creates_tags_by_name = names_new_tags("author");
    editor_creates_tags_by_name = names_new_tags("editor");
    administrator_creates_tags_by_name = names_new_tags("administrator");
    contributor_may_not_post_tags = creates_tags("contributor");
    author_posts_tags = creates_tags("author");
    editor_posts_tags = creates_tags("editor");
    administrator_posts_tags = creates_tags("administrator");
    contributor_may_not_manage_tags = manages_tags("contributor");
    author_may_not_manage_tags = manages_tags("author");
    editor_manages_tags = manages_tags("editor");
    administrator_manages_tags = manages_tags("administrator");
    contributor_bulk_changes_own_drafts = bulk_changes("contributor");
    author_bulk_changes_own_posts = bulk_changes("author");
    editor_bulk_changes_every_post = bulk_changes("editor");
    administrator_bulk_changes_every_post = bulk_changes("administrator");
    contributor_may_not_set_author = sets_author("contributor");
    author_may_not_set_author = sets_author("author");
    editor_sets_author = sets_author("editor");
    administrator_sets_author = sets_author("administrator");
}

/// Reads of single posts and lists of posts that are not visible.
async fn sees_posts_not_visible(app: &TestApp, member: &Member) {
    let own_draft = member.draft(app, "Own draft").await;
    let own_trashed = member.draft(app, "Own trashed draft").await;
    app.admin_delete(&format!("/posts/{own_trashed}"))
        .await
        .expect(204);
    let own_scheduled = member
        .post_changed_by_admin(
            app,
            "Own scheduled",
            json!({"status": "published", "published_at": LATER}),
        )
        .await;
    let others_draft = owners_post(app, json!({"title": "Others' draft"})).await;
    let others_scheduled = owners_post(
        app,
        json!({"title": "Others' scheduled", "status": "published", "published_at": LATER}),
    )
    .await;
    let others_visible = app.publish("Others' visible", &[]).await["id"].clone();

    let cases = [
        (json!(own_draft), [200, 200, 200, 200]),
        (json!(own_trashed), [200, 200, 200, 200]),
        (json!(own_scheduled), [404, 200, 200, 200]),
        (json!(others_draft), [404, 404, 200, 200]),
        (json!(others_scheduled), [404, 404, 200, 200]),
        (others_visible, [200, 200, 200, 200]),
    ];
    for (id, cells) in cases {
        let path = format!("/posts/{id}");
        check(
            member.call(app, Method::GET, &path, None).await,
            member.expects(cells),
        );
    }
    // Lists of what is not visible: only their own, for those who see
    // only their own.
    let listed = |status: &'static str| async move {
        let path = format!("/posts?status={status}");
        let reply = member.call(app, Method::GET, &path, None).await.expect(200);
        reply.body["total"].as_i64().unwrap()
    };
    assert_eq!(listed("draft").await, member.expects([1, 1, 2, 2]));
    assert_eq!(listed("scheduled").await, member.expects([0, 1, 2, 2]));
    assert_eq!(listed("deleted").await, member.expects([1, 1, 1, 1]));
    assert_eq!(listed("all").await, member.expects([1, 2, 5, 5]));
    // Without a status filter, the public's list.
    assert_eq!(listed("published").await, 1);
    let default = member.call(app, Method::GET, "/posts", None).await;
    assert_eq!(
        default.expect(200).body["total"],
        member.expects([1, 1, 5, 5])
    );
}

/// Creating posts: drafts, published, scheduled.
async fn creates_posts(app: &TestApp, member: &Member) {
    member.draft(app, "A draft").await;
    let published = json!({"title": "Out now", "status": "published"});
    let scheduled = json!({"title": "Later", "published_at": LATER});
    for body in [published, scheduled] {
        let reply = member.call(app, Method::POST, "/posts", Some(body)).await;
        check(reply, member.expects([403, 201, 201, 201]));
    }
    let created = total(app, "/posts?status=all").await;
    assert_eq!(created, member.expects([1, 3, 3, 3]));
}

/// PATCH and the post tag routes.
async fn edits_posts(app: &TestApp, member: &Member) {
    app.create_post(json!({"title": "Tagged", "tags": ["Rust"]}))
        .await;
    let own_draft = member.draft(app, "Own draft").await;
    let once_published = member
        .post_changed_by_admin(app, "Once published", json!({"status": "published"}))
        .await;
    app.admin_patch(
        &format!("/posts/{once_published}"),
        json!({"status": "draft"}),
    )
    .await
    .expect(200);
    let others_draft = owners_post(app, json!({"title": "Others' draft"})).await;
    let others_visible = app.publish("Others' visible", &[]).await["id"]
        .as_i64()
        .unwrap();

    let cases = [
        (own_draft, [200, 200, 200, 200]),
        (once_published, [403, 200, 200, 200]),
        (others_draft, [404, 404, 200, 200]),
        (others_visible, [403, 403, 200, 200]),
    ];
    for (id, cells) in cases {
        let expected = member.expects(cells);
        let path = format!("/posts/{id}");
        let edit = json!({"title": "Edited"});
        check(
            member.call(app, Method::PATCH, &path, Some(edit)).await,
            expected,
        );
        let tags = json!({"tags": ["Rust"]});
        let tags_path = format!("{path}/tags");
        check(
            member.call(app, Method::POST, &tags_path, Some(tags)).await,
            expected,
        );
        let detach = format!("{path}/tags/rust");
        check(
            member.call(app, Method::DELETE, &detach, None).await,
            expected,
        );
        let title = app.admin_get(&path).await.expect(200).body["title"].clone();
        assert_eq!(title == "Edited", expected == 200, "post {id}: {title}");
    }
}

/// Publishing, scheduling, unpublishing.
async fn publishes(app: &TestApp, member: &Member) {
    let own_draft = member.draft(app, "Own draft").await;
    let to_schedule = member.draft(app, "To schedule").await;
    let others_visible = app.publish("Others' visible", &[]).await["id"]
        .as_i64()
        .unwrap();
    let others_draft = owners_post(app, json!({"title": "Others' draft"})).await;
    let cases = [
        (
            own_draft,
            json!({"status": "published"}),
            [403, 200, 200, 200],
        ),
        (
            to_schedule,
            json!({"status": "published", "published_at": LATER}),
            [403, 200, 200, 200],
        ),
        (
            others_visible,
            json!({"status": "draft"}),
            [403, 403, 200, 200],
        ),
        (
            others_draft,
            json!({"status": "published"}),
            [404, 404, 200, 200],
        ),
    ];
    for (id, change, cells) in cases {
        let path = format!("/posts/{id}");
        let status = change["status"].clone();
        check(
            member.call(app, Method::PATCH, &path, Some(change)).await,
            member.expects(cells),
        );
        let now = app.admin_get(&path).await.expect(200).body["status"].clone();
        assert_eq!(now == status, member.expects(cells) == 200, "post {id}");
    }
    // Unpublishing their own published post.
    let own_published = member
        .post_changed_by_admin(app, "Own published", json!({"status": "published"}))
        .await;
    let path = format!("/posts/{own_published}");
    let unpublish = json!({"status": "draft"});
    check(
        member
            .call(app, Method::PATCH, &path, Some(unpublish))
            .await,
        member.expects([403, 200, 200, 200]),
    );
}

/// Trash, restore, delete for good.
async fn trashes(app: &TestApp, member: &Member) {
    let own_draft = member.draft(app, "Own draft").await;
    let own_published = member
        .post_changed_by_admin(app, "Own published", json!({"status": "published"}))
        .await;
    let others_visible = app.publish("Others' visible", &[]).await["id"]
        .as_i64()
        .unwrap();
    let others_draft = owners_post(app, json!({"title": "Others' draft"})).await;
    let cases = [
        (own_draft, [204, 204, 204, 204]),
        (own_published, [403, 204, 204, 204]),
        (others_visible, [403, 403, 204, 204]),
        (others_draft, [404, 404, 204, 204]),
    ];
    for (id, cells) in cases {
        let expected = member.expects(cells);
        let path = format!("/posts/{id}");
        check(
            member.call(app, Method::DELETE, &path, None).await,
            expected,
        );
        let trashed = !app.admin_get(&path).await.expect(200).body["deleted_at"].is_null();
        assert_eq!(trashed, expected == 204, "post {id}");
        // Restoring a post in the trash, or (refused) one that is not.
        let restore = format!("{path}/restore");
        let restored = member.call(app, Method::POST, &restore, None).await;
        check(restored, if expected == 204 { 200 } else { expected });
        let permanent = format!("{path}?permanent=true");
        check(
            member.call(app, Method::DELETE, &permanent, None).await,
            expected,
        );
        let gone = app.admin_get(&path).await.status == 404;
        assert_eq!(gone, expected == 204, "post {id}");
    }
}

/// Tag names that are no tag yet, wherever posts name tags.
async fn names_new_tags(app: &TestApp, member: &Member) {
    app.create_post(json!({"title": "Tagged", "tags": ["Rust"]}))
        .await;
    let own_draft = member.draft(app, "Own draft").await;
    let path = format!("/posts/{own_draft}");
    let named = json!(["rust", "Brand new", "Another"]);
    let attempts = [
        (
            Method::POST,
            "/posts".to_owned(),
            json!({"title": "New", "tags": named}),
        ),
        (Method::PATCH, path.clone(), json!({"tags": named})),
        (Method::POST, format!("{path}/tags"), json!({"tags": named})),
        (
            Method::POST,
            "/posts/bulk".to_owned(),
            json!({"ids": [own_draft], "action": "add_tags", "tags": named}),
        ),
    ];
    let tags_before = total(app, "/tags").await;
    for (method, path, body) in attempts {
        let reply = member.call(app, method, &path, Some(body)).await;
        if member.role != "contributor" {
            assert!(reply.status.is_success(), "{path}: {}", reply.body);
            continue;
        }
        let refused = reply.expect_problem(403);
        let messages = refused.body["errors"]["tags"].as_array().unwrap().clone();
        assert_eq!(messages.len(), 2, "each new tag named: {messages:?}");
        assert!(messages[0].as_str().unwrap().contains("Brand new"));
        assert!(messages[1].as_str().unwrap().contains("Another"));
    }
    let tags_after = total(app, "/tags").await;
    assert_eq!(tags_after - tags_before, member.expects([0, 2, 2, 2]));
    assert_eq!(
        total(app, "/posts?status=all").await,
        member.expects([2, 3, 3, 3])
    );
    // Existing tags are every contributor's to use.
    let existing = json!({"tags": ["RUST"]});
    let reply = member.call(app, Method::PATCH, &path, Some(existing)).await;
    assert_eq!(reply.expect(200).body["tags"][0]["slug"], "rust");
}

/// `POST /tags`.
async fn creates_tags(app: &TestApp, member: &Member) {
    let body = json!({"name": "Rust"});
    let reply = member.call(app, Method::POST, "/tags", Some(body)).await;
    check(reply, member.expects([403, 201, 201, 201]));
    assert_eq!(total(app, "/tags").await, member.expects([0, 1, 1, 1]));
}

/// `PATCH`, merge and `DELETE` of tags.
async fn manages_tags(app: &TestApp, member: &Member) {
    for name in ["Rust", "Go", "C"] {
        app.admin_post("/tags", json!({"name": name}))
            .await
            .expect(201);
    }
    let allowed = member.expects([403, 403, 200, 200]);
    let rename = json!({"description": "Systems"});
    let reply = member
        .call(app, Method::PATCH, "/tags/rust", Some(rename))
        .await;
    check(reply, allowed);
    let merge = json!({"into": "rust"});
    let reply = member
        .call(app, Method::POST, "/tags/go/merge", Some(merge))
        .await;
    check(reply, allowed);
    let reply = member.call(app, Method::DELETE, "/tags/c", None).await;
    check(reply, member.expects([403, 403, 204, 204]));
    let left = total(app, "/tags").await;
    assert_eq!(left, member.expects([3, 3, 1, 1]));
    let rust = app.admin_get("/tags/rust").await.expect(200);
    assert_eq!(rust.body["description"].is_null(), allowed != 200);
}

/// `POST /posts/bulk`: ids of posts the caller may not change count as
/// unmatched, and stay as they were.
async fn bulk_changes(app: &TestApp, member: &Member) {
    let own_draft = member.draft(app, "Own draft").await;
    let own_published = member
        .post_changed_by_admin(app, "Own published", json!({"status": "published"}))
        .await;
    let others_visible = app.publish("Others' visible", &[]).await["id"]
        .as_i64()
        .unwrap();
    let others_draft = owners_post(app, json!({"title": "Others' draft"})).await;
    let ids = [
        own_draft,
        own_published,
        others_visible,
        others_draft,
        999_999,
    ];

    let trash = json!({"ids": ids, "action": "delete"});
    let reply = member
        .call(app, Method::POST, "/posts/bulk", Some(trash))
        .await
        .expect(200);
    let matched: i64 = member.expects([1, 2, 4, 4]);
    assert_eq!(reply.body, json!({"matched": matched, "updated": matched}));
    assert_eq!(total(app, "/posts?status=deleted").await, matched);

    let restore = json!({"ids": ids, "action": "restore"});
    let reply = member
        .call(app, Method::POST, "/posts/bulk", Some(restore))
        .await
        .expect(200);
    assert_eq!(reply.body["updated"], matched);

    // Publishing is no contributor's; an author publishes their own.
    let publish = json!({"ids": ids, "action": "publish"});
    let reply = member
        .call(app, Method::POST, "/posts/bulk", Some(publish))
        .await;
    let reply = check(reply, member.expects([403, 200, 200, 200]));
    if reply.status == 200 {
        let published = member.expects([0, 1, 2, 2]);
        assert_eq!(reply.body["updated"], published);
    }
    assert_eq!(
        total(app, "/posts?status=draft").await,
        member.expects([2, 1, 0, 0])
    );
}

/// `author` on create and on `PATCH`: giving a post to another user.
async fn sets_author(app: &TestApp, member: &Member) {
    app.create_user("Heir", "heir@example.com", "author", PASSWORD)
        .await;
    let allowed = member.expects([403, 403, 201, 201]);
    let body = json!({"title": "For the heir", "author": "heir"});
    let reply = member.call(app, Method::POST, "/posts", Some(body)).await;
    let reply = check(reply, allowed);
    if allowed == 201 {
        assert_eq!(reply.body["author"]["slug"], "heir");
    }
    assert_eq!(
        total(app, "/posts?status=all").await,
        member.expects([0, 0, 1, 1])
    );

    let own_draft = member.draft(app, "Mine").await;
    let path = format!("/posts/{own_draft}");
    let give = json!({"author": "heir"});
    let reply = member.call(app, Method::PATCH, &path, Some(give)).await;
    check(reply, member.expects([403, 403, 200, 200]));
    let now = app.admin_get(&path).await.expect(200);
    let expected_author = match allowed {
        201 => "heir",
        _ => member.role,
    };
    assert_eq!(now.body["author"]["slug"], expected_author);
}
