//! A webhook receiver on 127.0.0.1, inside the test: it records every
//! delivery and answers each with the next scripted status (204 once the
//! script runs out); a scripted 0 never answers.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Received {
    pub event: String,
    pub id: String,
    pub signature: String,
    pub content_type: String,
    pub raw: String,
    pub body: Value,
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<u16>>,
}

pub struct Receiver {
    pub url: String,
    state: Arc<State>,
    handle: ServerHandle,
}

impl Receiver {
    /// Listens, answering with `script` first.
    pub fn start(script: &[u16]) -> Self {
        let state = Arc::new(State::default());
        state.script.lock().unwrap().extend(script);
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("the receiver binds");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks/blog"),
            state,
            handle,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits until `count` deliveries have come, failing after `limit`.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                started.elapsed() < limit,
                "{count} deliveries expected within {limit:?}, {} came: {received:#?}",
                received.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::spawn(async move { handle.stop(false).await });
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let raw = String::from_utf8(body.to_vec()).expect("a UTF-8 body");
    state.received.lock().unwrap().push(Received {
        event: header("x-webhook-event"),
        id: header("x-webhook-id"),
        signature: header("x-webhook-signature"),
        content_type: header("content-type"),
        body: serde_json::from_str(&raw).expect("a JSON body"),
        raw,
    });
    let status = state.script.lock().unwrap().pop_front().unwrap_or(204);
    if status == 0 {
        actix_web::rt::time::sleep(Duration::from_secs(3600)).await;
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}
