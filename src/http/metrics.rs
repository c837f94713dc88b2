//! `GET /metrics`, in the Prometheus text format: requests by route pattern,
//! method and status, their latency, the pool's connections, and what the
//! cache counts (how reads were answered, how the tag counts were kept
//! current). Each server has its own registry, so that two in one process
//! (the tests) count apart.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::cache::Cache;
use crate::db::Database;

/// Where the route of a request that matched none is counted: paths are
/// not labels, or anyone could grow the metrics without end.
const UNMATCHED: &str = "unmatched";

/// Latency buckets, in seconds: from an answer from memory to a timeout.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_open: IntGauge,
    pool_in_use: IntGauge,
    pool_waiting: IntGauge,
}

impl Metrics {
    /// The server's metrics, with what `cache` counts.
    pub fn new(cache: &Cache) -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("blog_http_requests_total", "HTTP requests answered."),
            &["route", "method", "status"],
        )
        .expect("a valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "blog_http_request_duration_seconds",
                "Time from a request's arrival to its answer.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["route", "method"],
        )
        .expect("a valid metric");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("a valid metric");
        let metrics = Metrics {
            pool_open: gauge("blog_db_pool_connections", "Database connections open."),
            pool_in_use: gauge(
                "blog_db_pool_connections_in_use",
                "Database connections checked out.",
            ),
            pool_waiting: gauge(
                "blog_db_pool_waiting",
                "Requests waiting for a database connection.",
            ),
            registry,
            requests,
            latency,
        };
        let mut collectors = cache.collectors();
        collectors.push(Box::new(metrics.requests.clone()));
        collectors.push(Box::new(metrics.latency.clone()));
        collectors.push(Box::new(metrics.pool_open.clone()));
        collectors.push(Box::new(metrics.pool_in_use.clone()));
        collectors.push(Box::new(metrics.pool_waiting.clone()));
        for collector in collectors {
            metrics
                .registry
                .register(collector)
                .expect("each metric is registered once");
        }
        metrics
    }

    fn observe(&self, route: &str, method: &Method, status: u16, started: Instant) {
        let method = method_label(method);
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(started.elapsed().as_secs_f64());
    }

    fn render(&self, db: &Database) -> String {
        let pool = db.pool_state();
        self.pool_open.set(pool.open.into());
        self.pool_in_use.set(pool.in_use.into());
        self.pool_waiting
            .set(i64::try_from(pool.waiting).unwrap_or(i64::MAX));
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut text)
            .expect("the text format encodes every metric");
        String::from_utf8(text).expect("the text format is UTF-8")
    }
}

/// Methods the API knows by name; any other is `other`, for the same
/// reason as [`UNMATCHED`].
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts every request by the route pattern it matched.
pub async fn record(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    let method = request.method().clone();
    let response = next.call(request).await;
    if let Some(metrics) = metrics {
        // Asked once routed: the router then names the pattern it took
        // without matching the path again. An error raised past every
        // handler (none is) carries no request to ask.
        let (route, status) = match &response {
            Ok(response) => (response.request().match_pattern(), response.status()),
            Err(error) => (None, error.as_response_error().status_code()),
        };
        let route = route.as_deref().unwrap_or(UNMATCHED);
        metrics.observe(route, &method, status.as_u16(), started);
    }
    response
}

/// `GET /metrics`.
pub async fn metrics(metrics: web::Data<Metrics>, db: web::Data<Database>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(&db))
}
