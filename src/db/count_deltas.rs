//! The count deltas: what each committed transaction did to the tag counts,
//! written by triggers in that transaction (the `count_deltas` migration),
//! and read here in commit order, so that counts kept in memory are brought
//! up to date by applying what changed.
//!
//! Commit order: on SQLite one writer commits at a time and ids are never
//! reused once committed, so a reader goes on from the last id it read. On
//! PostgreSQL ids are taken when a row is written, not when it commits; so
//! each row carries its transaction's id, and a reader that has applied
//! every row of one snapshot reads next every row from that snapshot's
//! `xmin` on (every transaction below it had finished, so its rows were in
//! the snapshot), skipping the ones it has applied. Either way a
//! [`LogPosition`] says where a reader is.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use super::conn::DbConn;
use super::error::DbError;
use crate::schema::{count_deltas, count_deltas_horizon};

/// One change to the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountDelta {
    /// A link of `tag_id` whose post is not trashed was added (`posts` +1)
    /// or removed (-1); the post is visible from `public_at` (never if
    /// NULL).
    Link {
        tag_id: i64,
        posts: i64,
        public_at: Option<NaiveDateTime>,
    },
    /// The same for a post itself, with its date whether published or not
    /// (where it is in admin lists), and its author (`None` in rows logged
    /// before posts had authors in the log).
    Post {
        post_id: i64,
        posts: i64,
        public_at: Option<NaiveDateTime>,
        published_at: Option<NaiveDateTime>,
        author_id: Option<i64>,
    },
    /// The tag's row was created, changed or deleted.
    Tag(i64),
    /// The user's row was created, changed (what an author list shows of
    /// it) or deleted.
    User(i64),
}

/// Where a reader of the log is: every row it has not applied is at or past
/// `from`, and of those it has applied `applied`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogPosition {
    resets: i64,
    from: i64,
    applied: HashSet<i64>,
}

/// What the log says since a position.
#[derive(Debug)]
pub enum Since {
    /// The changes committed since, in commit order, and the position after
    /// them.
    Changes(Vec<CountDelta>, LogPosition),
    /// Rows the reader has not applied were deleted, or the log was reset:
    /// only counting afresh is exact.
    Untrusted,
}

/// How far back the log can be trusted, and where the snapshot is.
struct Horizon {
    pruned_below: i64,
    resets: i64,
    /// Every row below this position committed before the snapshot.
    snapshot_from: i64,
}

/// id, position, tag_id, post_id, posts, public_at, published_at,
/// author_id.
type Row = (
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    i16,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<i64>,
);

/// The position of the snapshot the caller's transaction reads: every row
/// committed in it counts as applied. Called in the snapshot the counts
/// are counted in.
pub fn position(conn: &mut DbConn) -> QueryResult<LogPosition> {
    let horizon = horizon(conn)?;
    let from = horizon.snapshot_from.max(horizon.pruned_below);
    let applied = rows_from(conn, from)?
        .into_iter()
        .map(|row| row.0)
        .collect();
    Ok(LogPosition {
        resets: horizon.resets,
        from,
        applied,
    })
}

/// The changes committed in the caller's snapshot that `position` has not
/// applied, in commit order.
pub fn since(conn: &mut DbConn, position: &LogPosition) -> QueryResult<Since> {
    let horizon = horizon(conn)?;
    if horizon.resets != position.resets || horizon.pruned_below > position.from {
        return Ok(Since::Untrusted);
    }
    let from = horizon.snapshot_from.max(position.from);
    let mut applied = HashSet::new();
    let mut changes = Vec::new();
    for (id, row_position, tag_id, post_id, posts, public_at, published_at, author_id) in
        rows_from(conn, position.from)?
    {
        if !position.applied.contains(&id) {
            changes.push(match (tag_id, posts, post_id) {
                (Some(tag_id), 0, _) => CountDelta::Tag(tag_id),
                (Some(tag_id), posts, _) => CountDelta::Link {
                    tag_id,
                    posts: posts.into(),
                    public_at,
                },
                (None, 0, None) => CountDelta::User(author_id.unwrap_or_default()),
                (None, posts, _) => CountDelta::Post {
                    post_id: post_id.unwrap_or_default(),
                    posts: posts.into(),
                    public_at,
                    published_at,
                    author_id,
                },
            });
        }
        if row_position >= from {
            applied.insert(id);
        }
    }
    let next = LogPosition {
        resets: horizon.resets,
        from,
        applied,
    };
    Ok(Since::Changes(changes, next))
}

fn horizon(conn: &mut DbConn) -> QueryResult<Horizon> {
    let columns = (
        count_deltas_horizon::pruned_below,
        count_deltas_horizon::resets,
    );
    let (pruned_below, resets, snapshot_from) = match conn {
        DbConn::Postgres(c) => count_deltas_horizon::table
            .select((
                columns.0,
                columns.1,
                sql::<BigInt>("pg_snapshot_xmin(pg_current_snapshot())::text::bigint"),
            ))
            .first::<(i64, i64, i64)>(c)?,
        DbConn::Sqlite(c, _) => count_deltas_horizon::table
            .select((
                columns.0,
                columns.1,
                sql::<BigInt>(
                    "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'count_deltas'), 0) + 1",
                ),
            ))
            .first::<(i64, i64, i64)>(c)?,
    };
    Ok(Horizon {
        pruned_below,
        resets,
        snapshot_from,
    })
}

/// The rows at or past `from`, in id order, with their positions.
fn rows_from(conn: &mut DbConn, from: i64) -> QueryResult<Vec<Row>> {
    use count_deltas::{author_id, id, post_id, posts, public_at, published_at, table, tag_id};
    match conn {
        DbConn::Postgres(c) => table
            .select((
                id,
                sql::<BigInt>("txid"),
                tag_id,
                post_id,
                posts,
                public_at,
                published_at,
                author_id,
            ))
            .filter(sql::<Bool>("txid >= ").bind::<BigInt, _>(from))
            .order(id)
            .load(c),
        DbConn::Sqlite(c, _) => table
            .select((
                id,
                id,
                tag_id,
                post_id,
                posts,
                public_at,
                published_at,
                author_id,
            ))
            .filter(id.ge(from))
            .order(id)
            .load(c),
    }
}

/// Deletes the rows logged before `logged_before` (on PostgreSQL, of
/// transactions every snapshot now sees), and moves the horizon past them,
/// so that a reader who had not read them counts afresh. Returns whether
/// any were deleted.
pub fn prune(conn: &mut DbConn, logged_before: NaiveDateTime) -> Result<bool, DbError> {
    conn.transaction(|conn| match conn {
        DbConn::Postgres(c) => {
            let moved = diesel::sql_query(
                "WITH pruned AS (
                     DELETE FROM count_deltas
                     WHERE logged_at < $1
                       AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                     RETURNING txid)
                 UPDATE count_deltas_horizon
                 SET pruned_below = GREATEST(pruned_below, (SELECT MAX(txid) + 1 FROM pruned))
                 WHERE EXISTS (SELECT 1 FROM pruned)",
            )
            .bind::<diesel::sql_types::Timestamp, _>(logged_before)
            .execute(c)?;
            Ok(moved > 0)
        }
        DbConn::Sqlite(c, _) => {
            use count_deltas::{id, logged_at, table};
            let last: Option<i64> = table
                .filter(logged_at.lt(logged_before))
                .select(diesel::dsl::max(id))
                .first(c)?;
            let Some(last) = last else {
                return Ok(false);
            };
            diesel::delete(table.filter(id.le(last))).execute(c)?;
            diesel::update(count_deltas_horizon::table)
                .set(
                    count_deltas_horizon::pruned_below.eq(sql::<BigInt>("MAX(pruned_below, ")
                        .bind::<BigInt, _>(last + 1)
                        .sql(")")),
                )
                .execute(c)?;
            Ok(true)
        }
    })
}

/// Deletes every delta and has every reader count afresh: after a bulk
/// load, whose millions of deltas no reader would apply sooner than it
/// counts.
pub fn clear(conn: &mut DbConn) -> Result<(), DbError> {
    conn.transaction(|conn| {
        match conn {
            // Its trigger moves `resets` on.
            DbConn::Postgres(c) => c.batch_execute("TRUNCATE count_deltas")?,
            DbConn::Sqlite(c, _) => {
                diesel::delete(count_deltas::table).execute(c)?;
                diesel::update(count_deltas_horizon::table)
                    .set(count_deltas_horizon::resets.eq(count_deltas_horizon::resets + 1))
                    .execute(c)?;
            }
        }
        Ok(())
    })
}
