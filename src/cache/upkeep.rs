//! What a server does for its memory between requests: keeps the tag
//! counts current, so that an idle server never falls behind what the
//! count deltas keep, and deletes the deltas no server needs any more.

use std::time::Duration;

use chrono::TimeDelta;

use super::read_through::Cache;
use crate::db::{Database, count_deltas};
use crate::domain::time::now;

/// How often the upkeep runs.
pub const UPKEEP_EVERY: Duration = Duration::from_secs(60);

/// How long count deltas are kept: far longer than [`UPKEEP_EVERY`], so
/// that a running server has always read them before they go. A server
/// that has not (stopped, or stalled that long) counts afresh.
pub const DELTAS_KEPT_FOR: TimeDelta = TimeDelta::minutes(10);

/// Runs the upkeep every [`UPKEEP_EVERY`], for as long as the task lives.
pub async fn keep_up(db: actix_web::web::Data<Database>, cache: actix_web::web::Data<Cache>) {
    let mut ticks = actix_web::rt::time::interval(UPKEEP_EVERY);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        if let Err(error) = cache.refresh_counts(&db).await {
            log::warn!("could not bring the tag counts up to date: {error}");
        }
        let pruned = db
            .run(|conn| count_deltas::prune(conn, now() - DELTAS_KEPT_FOR))
            .await;
        if let Err(error) = pruned {
            log::warn!("could not delete old count deltas: {error}");
        }
    }
}
