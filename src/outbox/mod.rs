//! The sender: a task in every server that claims the deliveries due in
//! the outbox, sends them, and records each attempt. A delivery is claimed
//! by one server at a time (on PostgreSQL, `FOR UPDATE SKIP LOCKED`), and
//! the claim lapses if that server stops answering for it: every event is
//! delivered at least once, by one server at a time. A scheduled post's
//! `post.published` waits in the outbox for its time, so it goes out with
//! no request, and after a restart that slept through it.

mod body;
mod send;

use std::time::Duration;

use actix_web::web;
use chrono::{NaiveDateTime, TimeDelta};
use futures_util::future::join_all;

use crate::db::webhooks::{self, Attempt, DELIVERED, FAILED, PENDING};
use crate::db::{Database, DbConn, DbError};
use crate::domain::time::now;
use crate::domain::webhooks::next_retry;
use crate::models::DeliveryRow;
use crate::services::webhooks::{Bell, publish_due};

pub use send::signature;

/// How often the outbox is looked at when nothing rings: a scheduled post
/// goes out within this of its time.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// Deliveries claimed at a time, and sent together.
const BATCH: i64 = 20;

/// How long a claim holds: the receiver's time to answer, and a margin for
/// writing bodies and recording the attempts. A server killed mid-way
/// leaves the delivery to another (or to itself, restarted) once it lapses.
/// Servers' clocks must agree to well within the margin (NTP does).
fn claim_for() -> TimeDelta {
    TimeDelta::from_std(send::TIMEOUT).expect("a short timeout") + CLAIM_MARGIN
}

const CLAIM_MARGIN: TimeDelta = TimeDelta::seconds(5);

/// Sends what falls due, for as long as the task lives: at once when a
/// write on this server rings `bell`, else every [`POLL_EVERY`].
pub async fn deliver(db: web::Data<Database>, bell: web::Data<Bell>) {
    let client = send::client();
    loop {
        let due = db.run(|conn| publish_due(conn, now())).await;
        if let Err(error) = due {
            log::warn!("could not record the scheduled posts come due: {error}");
        }
        match deliver_due(&db, &client).await {
            // A full batch: more may be due already.
            Ok(sent) if sent == BATCH as usize => continue,
            Ok(_) => {}
            Err(error) => log::warn!("could not take webhook deliveries from the outbox: {error}"),
        }
        let _ = actix_web::rt::time::timeout(POLL_EVERY, bell.rung()).await;
    }
}

/// A claimed delivery with its body, where it goes and its secret.
struct Ready {
    delivery: DeliveryRow,
    body: String,
    url: String,
    secret: String,
}

/// Claims, sends and records one batch; how many deliveries it held.
async fn deliver_due(db: &Database, client: &reqwest::Client) -> Result<usize, DbError> {
    let (until, ready) = db.run(claim).await?;
    // A claim that could lapse before an attempt ends is left to lapse:
    // another server may take it then, and two would send at once.
    if now() + claim_for() - CLAIM_MARGIN > until {
        return Ok(0);
    }
    let sent = join_all(ready.iter().map(|ready| {
        send::send(
            client,
            send::Request {
                url: &ready.url,
                secret: &ready.secret,
                event: &ready.delivery.event,
                delivery_id: &ready.delivery.delivery_id,
                body: &ready.body,
            },
        )
    }))
    .await;
    let answered_at = now();
    let attempts: Vec<(i64, Attempt)> = ready
        .iter()
        .zip(sent)
        .map(|(ready, outcome)| {
            (
                ready.delivery.id,
                attempt(&ready.delivery, &outcome, answered_at),
            )
        })
        .collect();
    let count = attempts.len();
    db.run(move |conn| {
        attempts
            .iter()
            .try_for_each(|(id, attempt)| {
                webhooks::record_attempt(conn, *id, until, attempt).map(drop)
            })
            .map_err(DbError::from)
    })
    .await?;
    Ok(count)
}

/// Claims the deliveries due (timed once the connection is in hand), and
/// writes the body of each one's first attempt, kept for its retries.
/// Until when they are claimed, with them.
fn claim(conn: &mut DbConn) -> Result<(NaiveDateTime, Vec<Ready>), DbError> {
    let now = now();
    let until = now + claim_for();
    let claimed = webhooks::claim_due(conn, now, until, BATCH)?;
    let mut ready = Vec::with_capacity(claimed.len());
    for delivery in claimed {
        // Its webhook deleted since: the delivery went with it.
        let Some((url, secret)) = webhooks::target(conn, delivery.webhook_id)? else {
            continue;
        };
        let body = match &delivery.body {
            Some(body) => body.clone(),
            None => {
                let body = body::render(conn, &delivery, now)?;
                webhooks::keep_body(conn, delivery.id, &body)?;
                body
            }
        };
        ready.push(Ready {
            delivery,
            body,
            url,
            secret,
        });
    }
    Ok((until, ready))
}

/// What an attempt makes of a delivery: delivered, retried later, or failed
/// after the last retry; a failure is logged with the webhook and the
/// status, never the secret or the body.
fn attempt(delivery: &DeliveryRow, outcome: &send::Outcome, at: NaiveDateTime) -> Attempt {
    let status = outcome.status.map(i32::from);
    if outcome.delivered() {
        return Attempt {
            status,
            error: None,
            state: DELIVERED,
            next_attempt_at: None,
        };
    }
    let attempts = u32::try_from(delivery.attempts).unwrap_or(0) + 1;
    let retry = next_retry(attempts);
    let why = outcome.error.as_deref().unwrap_or("no answer");
    match retry {
        Some(delay) => log::warn!(
            "webhook {} delivery {} ({}) attempt {attempts} failed: {why}; next in {}s",
            delivery.webhook_id,
            delivery.delivery_id,
            delivery.event,
            delay.num_seconds()
        ),
        None => log::warn!(
            "webhook {} delivery {} ({}) failed after {attempts} attempts: {why}",
            delivery.webhook_id,
            delivery.delivery_id,
            delivery.event
        ),
    }
    Attempt {
        status,
        error: outcome.error.clone(),
        state: if retry.is_some() { PENDING } else { FAILED },
        next_attempt_at: retry.map(|delay| at + delay),
    }
}
