//! Statements on webhooks and their outbox of deliveries.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;

use super::conn::DbConn;
use crate::models::{DeliveryRow, NewWebhookRow, WebhookRow};
use crate::on_backend;
use crate::schema::{
    scheduled_publications as scheduled, webhook_deliveries as deliveries, webhook_topics, webhooks,
};

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

/// The webhook and its topics (each once).
pub fn insert(
    conn: &mut DbConn,
    row: &NewWebhookRow<'_>,
    topics: &[&str],
) -> QueryResult<WebhookRow> {
    on_backend!(conn, c => {
        let webhook: WebhookRow = diesel::insert_into(webhooks::table)
            .values(row)
            .returning(WebhookRow::as_returning())
            .get_result(c)?;
        let topics: Vec<_> = topics
            .iter()
            .map(|event| {
                (
                    webhook_topics::event.eq(*event),
                    webhook_topics::webhook_id.eq(webhook.id),
                )
            })
            .collect();
        diesel::insert_into(webhook_topics::table)
            .values(topics)
            .execute(c)?;
        Ok(webhook)
    })
}

/// Every webhook, oldest first.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<WebhookRow>> {
    on_backend!(conn, c => webhooks::table
        .select(WebhookRow::as_select())
        .order(webhooks::id)
        .load(c))
}

pub fn exists(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    on_backend!(conn, c => diesel::select(diesel::dsl::exists(webhooks::table.find(id))).get_result(c))
}

/// Deletes the webhook, its topics and its deliveries.
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    on_backend!(conn, c => diesel::delete(webhooks::table.find(id)).execute(c)).map(|n| n > 0)
}

/// Where a webhook's deliveries go, and the secret that signs them.
pub fn target(conn: &mut DbConn, id: i64) -> QueryResult<Option<(String, String)>> {
    on_backend!(conn, c => webhooks::table
        .find(id)
        .select((webhooks::url, webhooks::secret))
        .first(c)
        .optional())
}

/// A webhook's latest deliveries, newest first.
pub fn deliveries_of(conn: &mut DbConn, webhook: i64, limit: i64) -> QueryResult<Vec<DeliveryRow>> {
    on_backend!(conn, c => deliveries::table
        .filter(deliveries::webhook_id.eq(webhook))
        .select(DeliveryRow::as_select())
        .order(deliveries::id.desc())
        .limit(limit)
        .load(c))
}

/// An event, as the change that causes it records it.
#[derive(Debug, Clone, Serialize)]
pub struct NewEvent {
    pub event: &'static str,
    /// `post` or `tag`.
    pub subject: &'static str,
    pub subject_id: i64,
    pub subject_slug: String,
    /// Space-separated surrogate keys.
    pub purge_keys: String,
    /// When it happened, or when a scheduled post comes due: its first
    /// attempt is not before.
    #[serde(serialize_with = "as_stored")]
    pub occurred_at: NaiveDateTime,
}

/// A time as Diesel stores it on SQLite, which PostgreSQL reads as well.
fn as_stored<S: serde::Serializer>(at: &NaiveDateTime, to: S) -> Result<S::Ok, S::Error> {
    to.collect_str(&at.format("%F %T%.f"))
}

/// One delivery of each event to each webhook sent it, in one statement
/// however many events there are (none when no webhook is sent them).
pub fn fan_out(conn: &mut DbConn, events: &[NewEvent], now: NaiveDateTime) -> QueryResult<usize> {
    if events.is_empty() {
        return Ok(0);
    }
    let events = serde_json::to_string(events).expect("events serialise");
    match conn {
        DbConn::Postgres(c) => diesel::sql_query(
            "INSERT INTO webhook_deliveries (webhook_id, event, subject, subject_id, subject_slug, \
                 purge_keys, occurred_at, next_attempt_at, created_at) \
             SELECT topic.webhook_id, e.event, e.subject, e.subject_id, e.subject_slug, \
                 e.purge_keys, e.occurred_at, e.occurred_at, $2 \
             FROM jsonb_to_recordset($1::jsonb) AS e(event TEXT, subject TEXT, subject_id BIGINT, \
                 subject_slug TEXT, purge_keys TEXT, occurred_at TIMESTAMP) \
             JOIN webhook_topics topic ON topic.event IN (e.event, '*')",
        )
        .bind::<Text, _>(events)
        .bind::<Timestamp, _>(now)
        .execute(c),
        DbConn::Sqlite(c, _) => diesel::sql_query(
            "INSERT INTO webhook_deliveries (webhook_id, event, subject, subject_id, subject_slug, \
                 purge_keys, occurred_at, next_attempt_at, created_at) \
             SELECT topic.webhook_id, e.value ->> 'event', e.value ->> 'subject', \
                 e.value ->> 'subject_id', e.value ->> 'subject_slug', e.value ->> 'purge_keys', \
                 e.value ->> 'occurred_at', e.value ->> 'occurred_at', ?2 \
             FROM json_each(?1) AS e \
             JOIN webhook_topics topic ON topic.event IN (e.value ->> 'event', '*')",
        )
        .bind::<Text, _>(events)
        .bind::<Timestamp, _>(now)
        .execute(c),
    }
}

/// Schedules a post's `post.published` for `due_at`, replacing the one it
/// had.
pub fn schedule(conn: &mut DbConn, post: i64, due_at: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::insert_into(scheduled::table)
        .values((scheduled::post_id.eq(post), scheduled::due_at.eq(due_at)))
        .on_conflict(scheduled::post_id)
        .do_update()
        .set(scheduled::due_at.eq(due_at))
        .execute(c))
}

/// Withdraws the scheduled `post.published` of these posts: each is
/// published now, later, or not at all.
pub fn withdraw_scheduled(conn: &mut DbConn, posts: &[i64]) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::delete(scheduled::table)
        .filter(scheduled::post_id.eq_any(posts))
        .execute(c))
}

/// Takes up to `limit` scheduled publications due by `now` (on
/// PostgreSQL, skipping those another server is taking): each post and
/// when it came due. The caller records their events in the same
/// transaction.
pub fn take_due_publications(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(i64, NaiveDateTime)>> {
    let due = || {
        scheduled::table
            .filter(scheduled::due_at.le(now))
            .order((scheduled::due_at, scheduled::post_id))
            .limit(limit)
            .select((scheduled::post_id, scheduled::due_at))
    };
    let taken: Vec<(i64, NaiveDateTime)> = match conn {
        DbConn::Postgres(c) => due().for_update().skip_locked().load(c)?,
        // One writer at a time: the delete below is the claim.
        DbConn::Sqlite(c, _) => due().load(c)?,
    };
    if !taken.is_empty() {
        let ids: Vec<i64> = taken.iter().map(|(post, _)| *post).collect();
        withdraw_scheduled(conn, &ids)?;
    }
    Ok(taken)
}

/// Claims up to `limit` deliveries due by `now` until `until`: no other
/// server sends them meanwhile. On PostgreSQL, rows another server is
/// claiming are skipped rather than waited for.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    // Due, and claimed by no server, or by one that has not answered for
    // it in time (stopped, or killed, mid-way).
    const DUE: &str = "state = 'pending' AND next_attempt_at <= $2 \
        AND (claimed_until IS NULL OR claimed_until <= $2) \
        ORDER BY next_attempt_at, id LIMIT $3";
    match conn {
        DbConn::Postgres(c) => diesel::sql_query(format!(
            "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id IN ( \
                 SELECT id FROM webhook_deliveries WHERE {DUE} FOR UPDATE SKIP LOCKED) \
             RETURNING *"
        ))
        .bind::<Timestamp, _>(until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c),
        // One writer at a time: the claim is atomic as it is.
        DbConn::Sqlite(c, _) => diesel::sql_query(
            format!(
                "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id IN ( \
                     SELECT id FROM webhook_deliveries WHERE {DUE}) \
                 RETURNING *"
            )
            .replace('$', "?"),
        )
        .bind::<Timestamp, _>(until)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(c),
    }
}

/// Keeps the body of the first attempt, for every retry.
pub fn keep_body(conn: &mut DbConn, id: i64, body: &str) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(deliveries::table.find(id))
        .filter(deliveries::body.is_null())
        .set(deliveries::body.eq(body))
        .execute(c))
}

/// What an attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status: Option<i32>,
    pub error: Option<String>,
    /// `delivered` or `failed`, or `pending` with the next attempt's time.
    pub state: &'static str,
    pub next_attempt_at: Option<NaiveDateTime>,
}

/// Records an attempt and releases the claim, if the claim made until
/// `claimed_until` is still the delivery's: a claim that lapsed and was
/// taken by another server is that server's to record.
pub fn record_attempt(
    conn: &mut DbConn,
    id: i64,
    claimed_until: NaiveDateTime,
    attempt: &Attempt,
) -> QueryResult<usize> {
    on_backend!(conn, c => diesel::update(deliveries::table.find(id))
        .filter(deliveries::claimed_until.eq(claimed_until))
        .filter(deliveries::state.eq(PENDING))
        .set((
            deliveries::attempts.eq(deliveries::attempts + 1),
            deliveries::last_status.eq(attempt.status),
            deliveries::last_error.eq(attempt.error.as_deref()),
            deliveries::state.eq(attempt.state),
            deliveries::next_attempt_at.eq(attempt.next_attempt_at),
            deliveries::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(c))
}
