//! Staff users, sessions and personal keys, over HTTP: the owner, creating
//! and validating users, signing in and out, the lock-out, keys, and what
//! each role may do with people.

use reqwest::Method;
use serde_json::{Value, json};

use blog_backend::db::DbConn;
use blog_backend::schema::{posts, users};
use diesel::prelude::*;

use crate::helpers::{TestApp, send};

crate::on_both_backends!(
    the_admin_token_acts_as_the_owner,
    users_are_created_valid_or_not_at_all,
    a_session_acts_as_its_user_until_it_ends,
    five_failed_sign_ins_lock_an_email,
    a_burst_of_guesses_meets_the_lock_after_five,
    wrong_current_passwords_count_towards_the_lock,
    personal_keys_are_shown_once_and_revoked_at_once,
    each_role_manages_the_users_it_may,
    changing_ones_password_needs_the_current_one_and_ends_other_sessions,
    deleting_a_user_gives_their_posts_to_another,
);

const PASSWORD: &str = "correct horse battery";

async fn user_count(app: &TestApp) -> i64 {
    app.admin_get("/users").await.expect(200).body["total"]
        .as_i64()
        .unwrap()
}

async fn the_admin_token_acts_as_the_owner(app: TestApp) {
    let me = app.admin_get("/me").await.expect(200).body;
    assert_eq!(me["slug"], "owner");
    assert_eq!(me["name"], "Owner");
    assert_eq!(me["role"], "administrator");
    let users = app.admin_get("/users").await.expect(200).body;
    assert_eq!(users["total"], 1);
    // The owner may not lose the role, nor be deleted.
    app.admin_patch("/users/owner", json!({"role": "editor"}))
        .await
        .expect_problem(403);
    app.admin_delete("/users/owner").await.expect_problem(403);
    // Without a token, people are not there.
    app.get("/me").await.expect_problem(401);
    app.get("/users").await.expect_problem(401);
}

async fn users_are_created_valid_or_not_at_all(app: TestApp) {
    let ada = app
        .admin_post(
            "/users",
            json!({"name": "Ada Lovelace", "email": "Ada@Example.com", "role": "author",
                   "password": PASSWORD, "bio": "Notes on engines."}),
        )
        .await
        .expect(201);
    assert_eq!(ada.header("location"), Some("/api/v1/users/ada-lovelace"));
    assert_eq!(ada.body["slug"], "ada-lovelace");
    assert_eq!(ada.body["email"], "Ada@Example.com");
    assert_eq!(ada.body["role"], "author");
    assert_eq!(ada.body["bio"], "Notes on engines.");
    assert!(ada.body.get("password").is_none() && ada.body.get("password_hash").is_none());

    // Same name: the next free slug.
    let twin = app
        .create_user("Ada Lovelace", "twin@example.com", "contributor", PASSWORD)
        .await;
    assert_eq!(twin["slug"], "ada-lovelace-2");

    // An email in use, whatever its case: 409 naming its user.
    let taken = app
        .admin_post(
            "/users",
            json!({"name": "Other", "email": "ada@EXAMPLE.com", "role": "author", "password": PASSWORD}),
        )
        .await
        .expect_problem(409);
    assert_eq!(taken.body["slug"], "ada-lovelace");

    let refused: [(Value, &str); 7] = [
        (
            json!({"name": "X", "email": "not-an-email", "role": "author", "password": PASSWORD}),
            "email",
        ),
        (
            json!({"name": "X", "email": "x@example.com", "role": "author", "password": "too short"}),
            "password",
        ),
        (
            json!({"name": "X", "email": "x@example.com", "role": "author", "password": "x".repeat(201)}),
            "password",
        ),
        (
            json!({"name": "X", "email": "x@example.com", "role": "owner", "password": PASSWORD}),
            "role",
        ),
        (
            json!({"name": " ", "email": "x@example.com", "role": "author", "password": PASSWORD}),
            "name",
        ),
        (
            json!({"email": "x@example.com", "role": "author", "password": PASSWORD}),
            "name",
        ),
        (
            json!({"name": "X", "email": "x@example.com", "role": "author", "password": PASSWORD, "admin": true}),
            "admin",
        ),
    ];
    for (body, field) in refused {
        let reply = app
            .admin_post("/users", body.clone())
            .await
            .expect_problem(422);
        assert!(
            reply.body["errors"][field].is_array(),
            "{body}: {}",
            reply.body
        );
    }
    assert_eq!(user_count(&app).await, 3, "nothing refused was created");
}

async fn a_session_acts_as_its_user_until_it_ends(app: TestApp) {
    app.create_user("Grace", "grace@example.com", "editor", PASSWORD)
        .await;
    let signed_in = send(
        app.request(Method::POST, "/session")
            .json(&json!({"email": " GRACE@example.com", "password": PASSWORD})),
    )
    .await
    .expect(201);
    let token = signed_in.body["token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 32, "at least 128 random bits");
    assert_eq!(signed_in.header("cache-control"), Some("no-store"));
    assert!(signed_in.body["expires_at"].is_string());
    assert_eq!(signed_in.body["user"]["slug"], "grace");

    let me = app
        .with_token(&token, Method::GET, "/me", None)
        .await
        .expect(200);
    assert_eq!(me.body["slug"], "grace");
    assert_eq!(me.body["email"], "grace@example.com");
    // An editor writes posts, and sees drafts.
    app.with_token(
        &token,
        Method::POST,
        "/posts",
        Some(json!({"title": "Draft"})),
    )
    .await
    .expect(201);
    let drafts = app
        .with_token(&token, Method::GET, "/posts?status=draft", None)
        .await
        .expect(200);
    assert_eq!(drafts.body["total"], 1);

    // Wrong password and unknown email: one answer.
    let wrong = send(
        app.request(Method::POST, "/session")
            .json(&json!({"email": "grace@example.com", "password": "not the password"})),
    )
    .await
    .expect_problem(401);
    let unknown = send(
        app.request(Method::POST, "/session")
            .json(&json!({"email": "nobody@example.com", "password": "not the password"})),
    )
    .await
    .expect_problem(401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(
        wrong.header("www-authenticate"),
        unknown.header("www-authenticate")
    );
    // No email holds NUL: refused as input, before any database sees it.
    let nul = send(
        app.request(Method::POST, "/session")
            .json(&json!({"email": "gr\u{0}ace@example.com", "password": "x\u{0}"})),
    )
    .await
    .expect_problem(422);
    assert!(
        nul.body["errors"]["email"][0]
            .as_str()
            .unwrap()
            .contains("NUL")
    );
    assert!(
        nul.body["errors"]["password"][0]
            .as_str()
            .unwrap()
            .contains("NUL")
    );

    app.with_token(&token, Method::DELETE, "/session", None)
        .await
        .expect(204);
    app.with_token(&token, Method::GET, "/me", None)
        .await
        .expect_problem(401);
    // A key or the admin token is no session to end.
    send(app.admin(Method::DELETE, "/session"))
        .await
        .expect_problem(422);
}

async fn five_failed_sign_ins_lock_an_email(app: TestApp) {
    app.create_user("Lin", "lin@example.com", "author", PASSWORD)
        .await;
    let attempt = |password: &'static str| {
        send(
            app.request(Method::POST, "/session")
                .json(&json!({"email": "lin@example.com", "password": password})),
        )
    };
    for _ in 0..5 {
        attempt("wrong password!").await.expect_problem(401);
    }
    let locked = attempt(PASSWORD).await.expect_problem(429);
    let retry: i64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    // Another email is not locked.
    app.create_user("Max", "max@example.com", "author", PASSWORD)
        .await;
    app.sign_in("max@example.com", PASSWORD).await;
}

async fn a_burst_of_guesses_meets_the_lock_after_five(app: TestApp) {
    app.create_user("Bo", "bo@example.com", "author", PASSWORD)
        .await;
    let guesses = (0..20).map(|i| {
        send(
            app.request(Method::POST, "/session")
                .json(&json!({"email": "bo@example.com", "password": format!("guess {i}")})),
        )
    });
    let replies = futures::future::join_all(guesses).await;
    let refused = replies.iter().filter(|reply| reply.status == 401).count();
    let locked = replies.iter().filter(|reply| reply.status == 429).count();
    assert_eq!(
        (refused, locked),
        (5, 15),
        "sent together, the guesses still count each other"
    );
    send(
        app.request(Method::POST, "/session")
            .json(&json!({"email": "bo@example.com", "password": PASSWORD})),
    )
    .await
    .expect_problem(429);
}

async fn wrong_current_passwords_count_towards_the_lock(app: TestApp) {
    app.create_user("Di", "di@example.com", "author", PASSWORD)
        .await;
    let session = app.sign_in("di@example.com", PASSWORD).await;
    let change =
        |current: &str| json!({"password": "a brand new passphrase", "current_password": current});
    for i in 0..5 {
        app.with_token(
            &session,
            Method::PATCH,
            "/users/di",
            Some(change(&format!("guess {i}"))),
        )
        .await
        .expect_problem(422);
    }
    app.with_token(&session, Method::PATCH, "/users/di", Some(change(PASSWORD)))
        .await
        .expect_problem(429);
    send(
        app.request(Method::POST, "/session")
            .json(&json!({"email": "di@example.com", "password": PASSWORD})),
    )
    .await
    .expect_problem(429);
    // The operator's token stands above passwords: it resets the owner's
    // without the current one, again and again.
    for password in ["the owner's first passphrase", "the owner's second one"] {
        app.admin_patch("/users/owner", json!({"password": password}))
            .await
            .expect(200);
    }
}

async fn personal_keys_are_shown_once_and_revoked_at_once(app: TestApp) {
    app.create_user("Kim", "kim@example.com", "author", PASSWORD)
        .await;
    let session = app.sign_in("kim@example.com", PASSWORD).await;
    let created = app
        .with_token(
            &session,
            Method::POST,
            "/keys",
            Some(json!({"name": " builder "})),
        )
        .await
        .expect(201);
    let key = created.body["token"].as_str().unwrap().to_owned();
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["name"], "builder");

    let me = app
        .with_token(&key, Method::GET, "/me", None)
        .await
        .expect(200);
    assert_eq!(me.body["slug"], "kim");
    // The use is written off the request's path: soon, not at once.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let listed_key = loop {
        let listed = app
            .with_token(&session, Method::GET, "/keys", None)
            .await
            .expect(200);
        assert_eq!(listed.body["total"], 1);
        let key = listed.body["items"][0].clone();
        if key["last_used_at"].is_string() || std::time::Instant::now() > deadline {
            break key;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(listed_key["id"], id);
    assert!(listed_key.get("token").is_none());
    assert!(listed_key["last_used_at"].is_string(), "{listed_key}");
    assert!(listed_key.get("user").is_none());

    // The administrator sees everyone's keys, with their users; another
    // author does not see Kim's, nor can delete it.
    let all = app.admin_get("/keys").await.expect(200);
    assert_eq!(all.body["items"][0]["user"]["slug"], "kim");
    app.create_user("Other", "other@example.com", "author", PASSWORD)
        .await;
    let other = app.sign_in("other@example.com", PASSWORD).await;
    let theirs = app
        .with_token(&other, Method::GET, "/keys", None)
        .await
        .expect(200);
    assert_eq!(theirs.body["total"], 0);
    app.with_token(&other, Method::DELETE, &format!("/keys/{id}"), None)
        .await
        .expect_problem(404);

    app.with_token(&session, Method::DELETE, &format!("/keys/{id}"), None)
        .await
        .expect(204);
    app.with_token(&key, Method::GET, "/me", None)
        .await
        .expect_problem(401);
    app.with_token(&session, Method::POST, "/keys", Some(json!({"name": ""})))
        .await
        .expect_problem(422);
}

async fn each_role_manages_the_users_it_may(app: TestApp) {
    app.create_user("Ed", "ed@example.com", "editor", PASSWORD)
        .await;
    app.create_user("Cy", "cy@example.com", "contributor", PASSWORD)
        .await;
    let editor = app.sign_in("ed@example.com", PASSWORD).await;
    let contributor = app.sign_in("cy@example.com", PASSWORD).await;
    let new_user = |role: &str, email: &str| json!({"name": "New", "email": email, "role": role, "password": PASSWORD});

    // Editors create contributors and authors only.
    app.with_token(
        &editor,
        Method::POST,
        "/users",
        Some(new_user("author", "a1@example.com")),
    )
    .await
    .expect(201);
    for role in ["editor", "administrator"] {
        app.with_token(
            &editor,
            Method::POST,
            "/users",
            Some(new_user(role, "e1@example.com")),
        )
        .await
        .expect_problem(403);
    }
    app.with_token(
        &contributor,
        Method::POST,
        "/users",
        Some(new_user("contributor", "c1@example.com")),
    )
    .await
    .expect_problem(403);

    // Reading: editors anyone (email only to administrators and oneself).
    let seen = app
        .with_token(&editor, Method::GET, "/users/cy", None)
        .await
        .expect(200);
    assert!(seen.body.get("email").is_none());
    let listed = app
        .with_token(&editor, Method::GET, "/users", None)
        .await
        .expect(200);
    assert!(
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|user| user["slug"] == "ed" || user.get("email").is_none())
    );
    app.with_token(&contributor, Method::GET, "/users", None)
        .await
        .expect_problem(403);
    app.with_token(&contributor, Method::GET, "/users/ed", None)
        .await
        .expect_problem(403);
    let own = app
        .with_token(&contributor, Method::GET, "/users/cy", None)
        .await
        .expect(200);
    assert_eq!(own.body["email"], "cy@example.com");
    app.with_token(&contributor, Method::GET, "/users/nobody", None)
        .await
        .expect_problem(404);

    // Changing: oneself but not one's role; editors contributors and
    // authors, roles among those two; administrators anyone. In order.
    let changes = [
        (&contributor, "/users/cy", json!({"bio": "Hi"}), 200),
        (&contributor, "/users/cy", json!({"role": "editor"}), 403),
        (&editor, "/users/cy", json!({"role": "author"}), 200),
        (&editor, "/users/cy", json!({"role": "editor"}), 403),
        (&editor, "/users/owner", json!({"bio": "x"}), 403),
    ];
    for (token, path, body, status) in changes {
        let reply = app.with_token(token, Method::PATCH, path, Some(body)).await;
        match status {
            200 => reply.expect(200),
            _ => reply.expect_problem(status),
        };
    }
    let promoted = app
        .admin_patch("/users/cy", json!({"role": "editor", "bio": null}))
        .await
        .expect(200);
    assert_eq!(promoted.body["role"], "editor");
    assert_eq!(promoted.body["bio"], Value::Null);
    // Only administrators delete.
    app.with_token(&editor, Method::DELETE, "/users/new", None)
        .await
        .expect_problem(403);
    // An email in use by another user.
    let clash = app
        .admin_patch("/users/cy", json!({"email": "ED@example.com"}))
        .await
        .expect_problem(409);
    assert_eq!(clash.body["slug"], "ed");
}

async fn changing_ones_password_needs_the_current_one_and_ends_other_sessions(app: TestApp) {
    app.create_user("Pat", "pat@example.com", "author", PASSWORD)
        .await;
    let first = app.sign_in("pat@example.com", PASSWORD).await;
    let second = app.sign_in("pat@example.com", PASSWORD).await;
    let new_password = "a brand new passphrase";
    for body in [
        json!({"password": new_password}),
        json!({"password": new_password, "current_password": "not my password"}),
    ] {
        let refused = app
            .with_token(&first, Method::PATCH, "/users/pat", Some(body))
            .await
            .expect_problem(422);
        assert!(refused.body["errors"]["current_password"].is_array());
    }
    app.with_token(
        &first,
        Method::PATCH,
        "/users/pat",
        Some(json!({"password": new_password, "current_password": PASSWORD})),
    )
    .await
    .expect(200);
    app.with_token(&first, Method::GET, "/me", None)
        .await
        .expect(200);
    app.with_token(&second, Method::GET, "/me", None)
        .await
        .expect_problem(401);
    send(
        app.request(Method::POST, "/session")
            .json(&json!({"email": "pat@example.com", "password": PASSWORD})),
    )
    .await
    .expect_problem(401);
    app.sign_in("pat@example.com", new_password).await;
    // An administrator's reset needs no current password, and ends every
    // session of the user.
    app.admin_patch("/users/pat", json!({"password": "reset by the admin"}))
        .await
        .expect(200);
    app.with_token(&first, Method::GET, "/me", None)
        .await
        .expect_problem(401);
}

async fn deleting_a_user_gives_their_posts_to_another(app: TestApp) {
    app.create_user("Ed", "ed@example.com", "editor", PASSWORD)
        .await;
    app.create_user("Heir", "heir@example.com", "editor", PASSWORD)
        .await;
    let editor = app.sign_in("ed@example.com", PASSWORD).await;
    let key = app
        .with_token(&editor, Method::POST, "/keys", Some(json!({"name": "k"})))
        .await
        .expect(201)
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = app
        .with_token(
            &editor,
            Method::POST,
            "/posts",
            Some(json!({"title": "Mine", "status": "published"})),
        )
        .await
        .expect(201)
        .body;
    let has_posts = app.admin_delete("/users/ed").await.expect_problem(409);
    assert_eq!(has_posts.body["slug"], "ed");
    app.admin_delete("/users/ed?reassign_to=nobody")
        .await
        .expect_problem(422);
    app.admin_delete("/users/ed?reassign_to=ed")
        .await
        .expect_problem(422);
    app.admin_delete("/users/ed?reassign_to=heir")
        .await
        .expect(204);
    app.admin_get("/users/ed").await.expect_problem(404);
    for token in [&editor, &key] {
        app.with_token(token, Method::GET, "/me", None)
            .await
            .expect_problem(401);
    }
    // The post stays, now the heir's.
    app.get(&format!("/posts/{}", post["id"])).await.expect(200);
    let mut conn = app.connect();
    assert_eq!(author_of(&mut conn, post["id"].as_i64().unwrap()), "heir");
}

/// The slug of the post's author, read from the database.
fn author_of(conn: &mut DbConn, post: i64) -> String {
    blog_backend::on_backend!(conn, c => posts::table
        .inner_join(users::table)
        .filter(posts::id.eq(post))
        .select(users::slug)
        .first(c))
    .expect("the post and its author")
}
