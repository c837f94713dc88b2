//! Start-up: connect and migrate, take the tag counts, bind, build the
//! server. Used by `main` and by the tests alike.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Condition, ErrorHandlers, Logger};
use actix_web::{App, HttpServer, web};

use crate::cache::{Cache, upkeep};
use crate::config::Config;
use crate::db::{Database, PoolSettings, StartupError};
use crate::domain::freshness::Lifetimes;
use crate::http::auth::Auth;
use crate::http::metrics::Metrics;
use crate::services::webhooks::Bell;
use crate::{db, http, outbox};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] StartupError),
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
    #[error("start-up was interrupted: {0}")]
    Interrupted(String),
}

/// A server bound to its address, its database migrated, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    /// `/metrics` on its own address, when `METRICS_BIND` asks for one.
    metrics_server: Option<(u16, Server)>,
    upkeep: actix_web::rt::task::JoinHandle<()>,
    tidying: actix_web::rt::task::JoinHandle<()>,
    /// Sends webhook deliveries.
    sender: actix_web::rt::task::JoinHandle<()>,
}

impl Application {
    /// Connects to the database, applies migrations, binds the address (port
    /// 0 picks a free one) and builds the server.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let pool = connect(&config).await?;
        let bind_error = |source| StartError::Bind {
            bind: config.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&config.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();

        if config.admin_token.is_none() {
            log::info!(
                "ADMIN_TOKEN is not set: staff sign in with sessions and personal keys only"
            );
        }
        let db = web::Data::new(Database::new(pool));
        let cache = web::Data::new(Cache::new());
        cache.warm(&db).await;
        let metrics = web::Data::new(Metrics::new(&cache));
        let upkeep = actix_web::rt::spawn(upkeep::keep_up(db.clone(), cache.clone()));
        let tidying = actix_web::rt::spawn(tidy_credentials(db.clone()));
        let bell = web::Data::new(Bell::default());
        let sender = actix_web::rt::spawn(outbox::deliver(db.clone(), bell.clone()));
        let metrics_server = (config.metrics_bind.as_deref())
            .map(|bind| metrics_server(bind, db.clone(), metrics.clone()))
            .transpose()?;
        let metrics_beside_api = metrics_server.is_none();
        let shared = Shared::new(&config, db, cache, metrics, bell);
        let mut server =
            HttpServer::new(move || {
                let app = App::new()
                .wrap(actix_web::middleware::from_fn(http::middleware::refuse_nul))
                .wrap(actix_web::middleware::from_fn(http::middleware::ring_after_writes))
                .wrap(ErrorHandlers::new().default_handler(http::problem::ensure_problem_body))
                .wrap(actix_web::middleware::from_fn(
                    http::delivery::caching_defaults,
                ))
                .wrap(actix_web::middleware::from_fn(
                    http::cors::only_for_allowed_origins,
                ))
                // Off unless its lines are kept: it formats every request.
                .wrap(Condition::new(
                    log::log_enabled!(target: "actix_web::middleware::logger", log::Level::Info),
                    Logger::new(r#"%a "%r" %s %b %Dms"#),
                ))
                .wrap(actix_web::middleware::from_fn(http::metrics::record))
                .configure(|cfg| shared.configure(cfg));
                let app = match metrics_beside_api {
                    true => app.route(METRICS_PATH, web::get().to(http::metrics::metrics)),
                    false => app,
                };
                app.default_service(web::to(http::middleware::no_such_route))
            })
            // Slow senders: headers must arrive in time or the connection is
            // answered 408 and closed; bodies have their own limit (BodyTimeout).
            .client_request_timeout(config.header_timeout)
            .shutdown_timeout(config.shutdown_timeout.as_secs())
            .listen(listener)
            .map_err(bind_error)?;
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        log::info!(
            "serving on {}:{port} with {} ({:?})",
            config
                .bind
                .rsplit_once(':')
                .map_or(config.bind.as_str(), |(host, _)| host),
            config.database_url,
            config.database_url.backend()
        );
        Ok(Self {
            port,
            server: server.run(),
            metrics_server,
            upkeep,
            tidying,
            sender,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `/metrics` is served on apart, if `METRICS_BIND` set one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(port, _)| *port)
    }

    /// Stops the server from elsewhere (tests, signal handlers).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped. SIGTERM and SIGINT drain in-flight requests
    /// first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics_server.map(|(_, server)| {
            let handle = server.handle();
            (handle, actix_web::rt::spawn(server))
        });
        let served = self.server.await;
        self.upkeep.abort();
        self.tidying.abort();
        self.sender.abort();
        if let Some((handle, server)) = metrics {
            handle.stop(false).await;
            let _ = server.await;
        }
        served
    }
}

/// What every worker's handlers share, and the settings they read.
#[derive(Clone)]
struct Shared {
    db: web::Data<Database>,
    cache: web::Data<Cache>,
    metrics: web::Data<Metrics>,
    bell: web::Data<Bell>,
    auth: web::Data<Auth>,
    session_ttl: web::Data<http::people::SessionTtl>,
    lifetimes: web::Data<Lifetimes>,
    feed_settings: web::Data<http::feeds::FeedSettings>,
    origins: http::cors::AllowedOrigins,
    body_limit: usize,
    body_timeout: http::extract::BodyTimeout,
}

impl Shared {
    fn new(
        config: &Config,
        db: web::Data<Database>,
        cache: web::Data<Cache>,
        metrics: web::Data<Metrics>,
        bell: web::Data<Bell>,
    ) -> Self {
        Shared {
            db,
            cache,
            metrics,
            bell,
            auth: web::Data::new(Auth {
                token: config.admin_token.clone(),
            }),
            session_ttl: web::Data::new(session_ttl(config)),
            lifetimes: web::Data::new(config.cache_lifetimes),
            feed_settings: web::Data::new(http::feeds::FeedSettings {
                base_url: config.public_base_url.clone(),
                post_url_template: config.post_url_template.clone(),
            }),
            origins: http::cors::AllowedOrigins::new(config.cors_allowed_origins.clone()),
            body_limit: config.max_body_bytes,
            body_timeout: http::extract::BodyTimeout(config.body_timeout),
        }
    }

    /// The routes, with what they share.
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.db.clone())
            .app_data(self.cache.clone())
            .app_data(self.metrics.clone())
            .app_data(self.bell.clone())
            .app_data(self.auth.clone())
            .app_data(self.session_ttl.clone())
            .app_data(self.lifetimes.clone())
            .app_data(self.feed_settings.clone())
            .app_data(web::Data::new(self.origins.clone()))
            .app_data(web::PayloadConfig::new(self.body_limit))
            .app_data(self.body_timeout)
            .app_data(http::extract::path_config());
        http::configure(cfg, &self.origins);
    }
}

/// The pool, on a database migrated to this build.
async fn connect(config: &Config) -> Result<db::Pool, StartError> {
    let url = config.database_url.clone();
    let settings = PoolSettings {
        max_size: config.pool_size,
        checkout_timeout: config.pool_timeout,
    };
    actix_web::rt::task::spawn_blocking(move || db::connect_and_migrate(&url, &settings))
        .await
        .map_err(|error| StartError::Interrupted(error.to_string()))?
        .map_err(StartError::from)
}

/// How long a new session lasts.
fn session_ttl(config: &Config) -> http::people::SessionTtl {
    let hours = chrono::Duration::from_std(config.session_ttl);
    http::people::SessionTtl(hours.unwrap_or(chrono::Duration::days(30)))
}

/// Every minute, forgets expired sessions and failed sign-ins too old to
/// lock anything.
async fn tidy_credentials(db: web::Data<Database>) {
    let mut ticks = actix_web::rt::time::interval(upkeep::UPKEEP_EVERY);
    loop {
        ticks.tick().await;
        if let Err(error) = db.run(crate::services::people::credentials::tidy).await {
            log::warn!("could not forget expired sessions and old sign-in failures: {error}");
        }
    }
}

/// Where the metrics are served.
const METRICS_PATH: &str = "/metrics";

/// A server of `/metrics` alone, bound to `bind`, and its port.
fn metrics_server(
    bind: &str,
    db: web::Data<Database>,
    metrics: web::Data<Metrics>,
) -> Result<(u16, Server), StartError> {
    let bind_error = |source| StartError::Bind {
        bind: bind.to_owned(),
        source,
    };
    let listener = TcpListener::bind(bind).map_err(bind_error)?;
    let port = listener.local_addr().map_err(bind_error)?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(db.clone())
            .app_data(metrics.clone())
            .route(METRICS_PATH, web::get().to(http::metrics::metrics))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(bind_error)?
    .run();
    log::info!("serving metrics on {bind}");
    Ok((port, server))
}
