//! People through the real binary: no password, token or hash in the log
//! at debug level or in any answer, tokens stored only as digests, and the
//! operator's `users` commands.

use std::io::Write;
use std::process::{Command, Stdio};

use blog_backend::db::DbConn;
use blog_backend::schema::{credentials, users};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, TOKEN, TestDatabase};
use crate::process::ServerProcess;

#[test]
fn sqlite_people_secrets_never_reach_logs_answers_or_the_database() {
    secrets_stay_secret(Backend::Sqlite);
}

#[test]
fn postgres_people_secrets_never_reach_logs_answers_or_the_database() {
    secrets_stay_secret(Backend::Postgres);
}

#[test]
fn sqlite_the_operator_makes_the_first_administrator() {
    operator_commands(Backend::Sqlite);
}

#[test]
fn postgres_the_operator_makes_the_first_administrator() {
    operator_commands(Backend::Postgres);
}

const PASSWORD: &str = "password-that-must-not-be-logged";
const NEW_PASSWORD: &str = "another-password-not-to-log";

fn secrets_stay_secret(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let server = ServerProcess::start(&database);
    let base = server.base();
    let (answers, tokens) = actix_web::rt::System::new().block_on(async move {
        let client = reqwest::Client::new();
        let url = |path: &str| format!("{base}/api/v1{path}");
        let mut answers = Vec::new();
        let mut call = async |request: reqwest::RequestBuilder| -> Value {
            let text = request.send().await.unwrap().text().await.unwrap();
            answers.push(text.clone());
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        call(client.post(url("/users")).bearer_auth(TOKEN).json(&json!({
            "name": "Sam", "email": "sam@example.com", "role": "editor", "password": PASSWORD
        })))
        .await;
        let session = call(client.post(url("/session")).json(&json!({
            "email": "sam@example.com", "password": PASSWORD
        })))
        .await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        call(client.post(url("/session")).json(&json!({
            "email": "sam@example.com", "password": NEW_PASSWORD
        })))
        .await;
        let key = call(
            client
                .post(url("/keys"))
                .bearer_auth(&session)
                .json(&json!({"name": "k"})),
        )
        .await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        for token in [&session, &key] {
            call(client.get(url("/me")).bearer_auth(token)).await;
            call(client.get(url("/users")).bearer_auth(token)).await;
            call(client.get(url("/keys")).bearer_auth(token)).await;
        }
        call(
            client
                .patch(url("/users/sam"))
                .bearer_auth(&session)
                .json(&json!({
                    "password": NEW_PASSWORD, "current_password": PASSWORD
                })),
        )
        .await;
        call(client.delete(url("/session")).bearer_auth(&session)).await;
        call(client.get(url("/me")).bearer_auth(&session)).await;
        (answers, vec![session, key])
    });
    let log = server.log();
    assert!(
        log.contains("/api/v1/session"),
        "the log has the requests:\n{log}"
    );
    let mut conn = database.connect();
    let hashes = stored_hashes(&mut conn);
    assert!(
        hashes.iter().all(|hash| hash.starts_with("$argon2id$")),
        "{hashes:?}"
    );
    let digests = stored_digests(&mut conn);
    assert_eq!(digests.len(), 1, "the key; the session has ended");
    for token in &tokens {
        assert!(!digests.iter().any(|digest| digest == token.as_bytes()));
    }
    let mut secrets: Vec<&str> = vec![PASSWORD, NEW_PASSWORD, "$argon2"];
    secrets.extend(tokens.iter().map(String::as_str));
    secrets.extend(hashes.iter().map(String::as_str));
    for secret in secrets {
        assert!(
            !log.contains(secret),
            "the log holds a secret ({secret}):\n{log}"
        );
        for answer in &answers {
            let shown_once =
                tokens.iter().any(|token| token == secret) && answer.contains("\"token\"");
            assert!(
                shown_once || !answer.contains(secret),
                "an answer holds {secret}: {answer}"
            );
        }
    }
}

fn stored_hashes(conn: &mut DbConn) -> Vec<String> {
    blog_backend::on_backend!(conn, c => users::table
        .select(users::password_hash)
        .load::<Option<String>>(c))
    .unwrap()
    .into_iter()
    .flatten()
    .collect()
}

fn stored_digests(conn: &mut DbConn) -> Vec<Vec<u8>> {
    blog_backend::on_backend!(conn, c => credentials::table
        .select(credentials::token_hash)
        .load::<Vec<u8>>(c))
    .unwrap()
}

/// `blog-backend users …` with `stdin` as standard input.
fn users_command(database: &TestDatabase, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blog-backend"))
        .arg("users")
        .args(args)
        .env("DATABASE_URL", database.url.as_str())
        .env_remove("ADMIN_TOKEN")
        .env("RUST_LOG", "debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

fn operator_commands(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let (ok, out) = users_command(
        &database,
        &[
            "create",
            "--email",
            "root@example.com",
            "--name",
            "Root",
            "--role",
            "administrator",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(ok, "{out}");
    assert!(out.contains("created root"), "{out}");
    assert!(!out.contains(PASSWORD), "{out}");
    // An empty line: a password is generated and printed once.
    let (ok, out) = users_command(
        &database,
        &[
            "create",
            "--email",
            "gen@example.com",
            "--name",
            "Gen",
            "--role",
            "author",
        ],
        Some("\n"),
    );
    assert!(ok, "{out}");
    let generated = out
        .lines()
        .find_map(|line| line.strip_prefix("password (shown this once): "))
        .expect("the generated password")
        .to_owned();
    // Bad input is refused, naming the option, and creates nothing.
    for (args, named) in [
        (
            [
                "create", "--email", "nope", "--name", "X", "--role", "author",
            ],
            "--email",
        ),
        (
            [
                "create",
                "--email",
                "x@example.com",
                "--name",
                "X",
                "--role",
                "boss",
            ],
            "--role",
        ),
        (
            [
                "create",
                "--email",
                "ROOT@example.com",
                "--name",
                "X",
                "--role",
                "author",
            ],
            "--email",
        ),
    ] {
        let (ok, out) = users_command(&database, &args, Some(&format!("{PASSWORD}\n")));
        assert!(!ok && out.contains(named), "{out}");
    }
    let (ok, out) = users_command(
        &database,
        &["set-password", "owner"],
        Some(&format!("{NEW_PASSWORD}\n")),
    );
    assert!(ok, "{out}");
    let (ok, out) = users_command(&database, &["list"], None);
    assert!(ok, "{out}");
    let listed: Vec<&str> = out.lines().filter(|line| line.contains('\t')).collect();
    assert_eq!(listed.len(), 3, "{out}");
    assert!(
        listed
            .iter()
            .any(|line| line.starts_with("root\tadministrator\troot@example.com\tRoot"))
    );

    // The server, with no ADMIN_TOKEN needed: both sign in.
    let server = ServerProcess::start(&database);
    let base = server.base();
    actix_web::rt::System::new().block_on(async move {
        let client = reqwest::Client::new();
        for (email, password) in [
            ("root@example.com", PASSWORD),
            ("gen@example.com", generated.as_str()),
        ] {
            let reply = client
                .post(format!("{base}/api/v1/session"))
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status().as_u16(), 201, "{email}");
        }
    });
}
