//! The posts rows of the role table.

use reqwest::Method;
use serde_json::json;

use super::{LATER, Member, PASSWORD, Posts, check, owners_post, total};
use crate::helpers::TestApp;

/// Reads of single posts and lists of posts that are not visible.
pub(super) async fn sees_posts_not_visible(app: &TestApp, member: &Member) {
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
pub(super) async fn creates_posts(app: &TestApp, member: &Member) {
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
pub(super) async fn edits_posts(app: &TestApp, member: &Member) {
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
pub(super) async fn publishes(app: &TestApp, member: &Member) {
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
pub(super) async fn trashes(app: &TestApp, member: &Member) {
    let Posts {
        own_draft,
        own_published,
        others_visible,
        others_draft,
    } = Posts::of(app, member).await;
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

/// `POST /posts/bulk`: ids of posts the caller may not change count as
/// unmatched, and stay as they were.
pub(super) async fn bulk_changes(app: &TestApp, member: &Member) {
    let Posts {
        own_draft,
        own_published,
        others_visible,
        others_draft,
    } = Posts::of(app, member).await;
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
pub(super) async fn sets_author(app: &TestApp, member: &Member) {
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
