//! The posts, tags and keys rows of the role table, a test per cell: each
//! row is a function run once for each role. A caller signs in as a user of
//! the role; "others'" posts are the owner's. Refusals are checked to
//! change nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

mod keys;
mod posts;
mod tags;

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

/// A post of each kind the change rows tell apart.
struct Posts {
    own_draft: i64,
    own_published: i64,
    others_visible: i64,
    others_draft: i64,
}

impl Posts {
    async fn of(app: &TestApp, member: &Member) -> Posts {
        let published = json!({"status": "published"});
        Posts {
            own_draft: member.draft(app, "Own draft").await,
            own_published: member
                .post_changed_by_admin(app, "Own published", published)
                .await,
            others_visible: owners_post(
                app,
                json!({"title": "Others' visible", "status": "published"}),
            )
            .await,
            others_draft: owners_post(app, json!({"title": "Others' draft"})).await,
        }
    }
}

async fn total(app: &TestApp, path: &str) -> i64 {
    app.admin_get(path).await.expect(200).body["total"]
        .as_i64()
        .unwrap()
}

macro_rules! cells {
    ($($cell:ident = $rows:ident::$row:ident($role:literal);)*) => {
        $(
            async fn $cell(app: TestApp) {
                let member = Member::join(&app, $role).await;
                $rows::$row(&app, &member).await;
            }
        )*
        crate::on_both_backends!($($cell),*);
    };
}

cells! {
    contributor_sees_their_own_drafts = posts::sees_posts_not_visible("contributor");
    author_sees_their_own_posts = posts::sees_posts_not_visible("author");
    editor_sees_every_post = posts::sees_posts_not_visible("editor");
    administrator_sees_every_post = posts::sees_posts_not_visible("administrator");
    contributor_creates_drafts_only = posts::creates_posts("contributor");
    author_creates_posts = posts::creates_posts("author");
    editor_creates_posts = posts::creates_posts("editor");
    administrator_creates_posts = posts::creates_posts("administrator");
    contributor_edits_own_posts_never_published = posts::edits_posts("contributor");
    author_edits_own_posts = posts::edits_posts("author");
    editor_edits_every_post = posts::edits_posts("editor");
    administrator_edits_every_post = posts::edits_posts("administrator");
    contributor_never_publishes = posts::publishes("contributor");
    author_publishes_own_posts = posts::publishes("author");
    editor_publishes_every_post = posts::publishes("editor");
    administrator_publishes_every_post = posts::publishes("administrator");
    contributor_trashes_own_drafts = posts::trashes("contributor");
    author_trashes_own_posts = posts::trashes("author");
    editor_trashes_every_post = posts::trashes("editor");
    administrator_trashes_every_post = posts::trashes("administrator");
    contributor_is_refused_new_tags = tags::names_new_tags("contributor");
    author_creates_tags_by_name = tags::names_new_tags("author");
    editor_creates_tags_by_name = tags::names_new_tags("editor");
    administrator_creates_tags_by_name = tags::names_new_tags("administrator");
    contributor_may_not_post_tags = tags::creates_tags("contributor");
    author_posts_tags = tags::creates_tags("author");
    editor_posts_tags = tags::creates_tags("editor");
    administrator_posts_tags = tags::creates_tags("administrator");
    contributor_may_not_manage_tags = tags::manages_tags("contributor");
    author_may_not_manage_tags = tags::manages_tags("author");
    editor_manages_tags = tags::manages_tags("editor");
    administrator_manages_tags = tags::manages_tags("administrator");
    contributor_bulk_changes_own_drafts = posts::bulk_changes("contributor");
    author_bulk_changes_own_posts = posts::bulk_changes("author");
    editor_bulk_changes_every_post = posts::bulk_changes("editor");
    administrator_bulk_changes_every_post = posts::bulk_changes("administrator");
    contributor_may_not_set_author = posts::sets_author("contributor");
    author_may_not_set_author = posts::sets_author("author");
    editor_sets_author = posts::sets_author("editor");
    administrator_sets_author = posts::sets_author("administrator");
    contributor_manages_own_keys = keys::manages_keys("contributor");
    author_manages_own_keys = keys::manages_keys("author");
    editor_manages_own_keys = keys::manages_keys("editor");
    administrator_manages_every_key = keys::manages_keys("administrator");
}
