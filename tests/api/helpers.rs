//! Spawns the real server on a fresh database per test and talks to it over
//! HTTP.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use blog_backend::Application;
use blog_backend::config::AdminToken;
use blog_backend::config::Config;
use blog_backend::db::{DatabaseUrl, DbConn};
use blog_backend::domain::freshness::Lifetimes;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use futures::FutureExt;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

pub const TOKEN: &str = "test-admin-token";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed `async fn(TestApp)` once per backend, as
/// `sqlite::NAME` and `postgres::NAME`; after `configured by ADJUST;`, with
/// the server's configuration passed through `fn ADJUST(&mut Config)`;
/// after `two instances;`, each an `async fn(TestApp, TestApp)` given two
/// servers on one database.
#[macro_export]
macro_rules! on_both_backends {
    (configured by $adjust:ident; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    $crate::helpers::run_with(
                        $crate::helpers::Backend::Sqlite, super::$adjust, super::$name,
                    ).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    $crate::helpers::run_with(
                        $crate::helpers::Backend::Postgres, super::$adjust, super::$name,
                    ).await
                }
            )*
        }
    };
    (two instances; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    $crate::helpers::run_two($crate::helpers::Backend::Sqlite, super::$name).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    $crate::helpers::run_two($crate::helpers::Backend::Postgres, super::$name)
                        .await
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    $crate::helpers::run($crate::helpers::Backend::Sqlite, super::$name).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    $crate::helpers::run($crate::helpers::Backend::Postgres, super::$name).await
                }
            )*
        }
    };
}

/// Gives the test a server on its own database, then stops the server and
/// drops the database, whether the test passed or not.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    run_with(backend, |_| {}, test).await
}

/// [`run`], with the server's configuration adjusted first.
pub async fn run_with<F, Fut>(backend: Backend, adjust: impl FnOnce(&mut Config), test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    run_instances(backend, 1, adjust, |mut apps| test(apps.remove(0))).await
}

/// [`run`] with two servers on one database, like two instances of the
/// service behind a load balancer.
pub async fn run_two<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp, TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    run_instances(
        backend,
        2,
        |_| {},
        |mut apps| {
            let second = apps.pop().unwrap();
            test(apps.pop().unwrap(), second)
        },
    )
    .await
}

async fn run_instances<F, Fut>(
    backend: Backend,
    instances: usize,
    adjust: impl FnOnce(&mut Config),
    test: F,
) where
    F: FnOnce(Vec<TestApp>) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(database) = TestDatabase::create(backend) else {
        return;
    };
    let mut config = Config {
        database_url: database.url.clone(),
        bind: "127.0.0.1:0".into(),
        admin_token: AdminToken::new(TOKEN.into()),
        pool_size: 8,
        pool_timeout: Duration::from_secs(10),
        max_body_bytes: 1 << 20,
        workers: Some(2),
        header_timeout: Duration::from_secs(5),
        body_timeout: Duration::from_secs(15),
        metrics_bind: None,
        session_ttl: Duration::from_secs(3600),
        shutdown_timeout: Duration::from_secs(5),
        cache_lifetimes: Lifetimes::default(),
        cors_allowed_origins: Vec::new(),
        public_base_url: "https://blog.example.com".into(),
        post_url_template: "/posts/{slug}".into(),
    };
    adjust(&mut config);
    let mut apps = Vec::new();
    let mut servers = Vec::new();
    for _ in 0..instances {
        let application = Application::build(config.clone())
            .await
            .expect("the application starts");
        apps.push(TestApp {
            base: format!("http://127.0.0.1:{}", application.port()),
            // Redirects are answers to check, not to follow.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client"),
            database: config.database_url.clone(),
            metrics_base: application
                .metrics_port()
                .map(|port| format!("http://127.0.0.1:{port}")),
        });
        let handle = application.handle();
        servers.push((
            handle,
            actix_web::rt::spawn(application.run_until_stopped()),
        ));
    }

    let outcome = AssertUnwindSafe(test(apps)).catch_unwind().await;

    for (handle, server) in servers {
        handle.stop(true).await;
        let _ = server.await;
    }
    drop(database);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A database of the test's own: a file in a temporary directory, or a
/// PostgreSQL database dropped when the guard is.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    postgres_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// Where test databases are created: `TEST_DATABASE_URL` names a database
/// to connect to for `CREATE DATABASE`.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

impl TestDatabase {
    /// `None` only when PostgreSQL is unreachable outside CI: the test then
    /// says so loudly and skips. In CI it fails.
    pub fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let path = dir.path().join("blog.db");
                Some(Self {
                    url: DatabaseUrl::parse(path.to_str().expect("a UTF-8 path")).unwrap(),
                    postgres_name: None,
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let mut admin = match PgConnection::establish(&admin_url) {
                    Ok(conn) => conn,
                    Err(error) if !in_ci() => {
                        eprintln!(
                            "\n!!! SKIPPED: PostgreSQL is unreachable at {admin_url} ({error}).\n\
                             !!! Start it (see README) or set TEST_DATABASE_URL; with CI=true this fails.\n"
                        );
                        return None;
                    }
                    Err(error) => panic!("PostgreSQL is unreachable at {admin_url}: {error}"),
                };
                let name = format!(
                    "blog_test_{}_{}",
                    std::process::id(),
                    DATABASES.fetch_add(1, Ordering::Relaxed)
                );
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .and_then(|()| admin.batch_execute(&format!("CREATE DATABASE {name}")))
                    .expect("a test database is created");
                let (prefix, _) = admin_url
                    .rsplit_once('/')
                    .expect("a database URL with a path");
                Some(Self {
                    url: DatabaseUrl::parse(&format!("{prefix}/{name}")).unwrap(),
                    postgres_name: Some(name),
                    _dir: None,
                })
            }
        }
    }

    /// A connection with migrations applied, for tests below HTTP.
    pub fn connect(&self) -> DbConn {
        let mut conn = DbConn::establish(&self.url).expect("the test database accepts connections");
        conn.run_migrations().expect("migrations apply");
        conn
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres_name {
            match PgConnection::establish(&postgres_admin_url()) {
                Ok(mut admin) => {
                    if let Err(error) =
                        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    {
                        eprintln!("could not drop test database {name}: {error}");
                    }
                }
                Err(error) => eprintln!("could not drop test database {name}: {error}"),
            }
        }
    }
}

#[derive(Clone)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// The database the server uses.
    pub database: DatabaseUrl,
    /// Where `/metrics` is served when `METRICS_BIND` moved it apart.
    pub metrics_base: Option<String>,
}

/// A response, its body parsed as JSON (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts a problem+json error with this status.
    #[track_caller]
    pub fn expect_problem(self, status: u16) -> Self {
        let reply = self.expect(status);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(reply.body["status"], status);
        assert_eq!(reply.body["type"], "about:blank");
        assert!(reply.body["title"].is_string());
        assert!(reply.body["detail"].is_string());
        reply
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        let outside_the_api = ["/api/", "/healthz", "/readyz", "/feeds/"];
        if outside_the_api
            .iter()
            .any(|prefix| path.starts_with(prefix))
        {
            format!("{}{path}", self.base)
        } else {
            format!("{}/api/v1{path}", self.base)
        }
    }

    /// A request without credentials.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request with the admin token.
    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(TOKEN)
    }

    /// A connection to the server's database, for an oracle.
    pub fn connect(&self) -> DbConn {
        DbConn::establish(&self.database).expect("the test database answers")
    }

    /// The value of a metric without labels, from `/metrics`.
    pub async fn metric(&self, name: &str) -> f64 {
        let base = self.metrics_base.as_deref().unwrap_or(&self.base);
        let text = self
            .client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .parse()
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Reply {
        send(self.request(Method::GET, path)).await
    }

    pub async fn admin_get(&self, path: &str) -> Reply {
        send(self.admin(Method::GET, path)).await
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Reply {
        send(self.admin(Method::POST, path).json(&body)).await
    }

    pub async fn admin_patch(&self, path: &str, body: Value) -> Reply {
        send(self.admin(Method::PATCH, path).json(&body)).await
    }

    pub async fn admin_delete(&self, path: &str) -> Reply {
        send(self.admin(Method::DELETE, path)).await
    }

    /// A request with `token` (a session or a key).
    pub async fn with_token(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let request = self.request(method, path).bearer_auth(token);
        send(match body {
            Some(body) => request.json(&body),
            None => request,
        })
        .await
    }

    /// Creates a user with the admin token; returns the user.
    pub async fn create_user(&self, name: &str, email: &str, role: &str, password: &str) -> Value {
        let body =
            serde_json::json!({"name": name, "email": email, "role": role, "password": password});
        self.admin_post("/users", body).await.expect(201).body
    }

    /// Signs in; returns the session token.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let body = serde_json::json!({"email": email, "password": password});
        let reply = send(self.request(Method::POST, "/session").json(&body)).await;
        let reply = reply.expect(201);
        reply.body["token"].as_str().expect("a token").to_owned()
    }

    /// Creates a post and returns it, failing the test unless it is 201.
    pub async fn create_post(&self, body: Value) -> Value {
        self.admin_post("/posts", body).await.expect(201).body
    }

    /// Creates a published post, visible now, with these tags.
    pub async fn publish(&self, title: &str, tags: &[&str]) -> Value {
        self.create_post(serde_json::json!({"title": title, "status": "published", "tags": tags}))
            .await
    }
}

pub async fn send(request: RequestBuilder) -> Reply {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a response body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("a JSON body, got: {}", String::from_utf8_lossy(&bytes)))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// The `slug` of each item of a JSON list.
pub fn slugs(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["slug"].as_str().expect("a slug").to_owned())
        .collect()
}

/// The `name` of each tag of a post.
pub fn tag_names(post: &Value) -> Vec<String> {
    post["tags"]
        .as_array()
        .expect("a tag list")
        .iter()
        .map(|tag| tag["name"].as_str().expect("a name").to_owned())
        .collect()
}

/// An RFC 3339 time this many seconds from now.
pub fn seconds_from_now(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
