-- Webhooks: who is told of which events, and the outbox of deliveries.
-- A change writes its deliveries in its own transaction, so a rolled-back
-- change sends nothing and a committed one cannot lose them; a worker in
-- each server claims due deliveries and sends them.

CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT NOT NULL,
    -- The events as given, a JSON array (`*`: every event).
    events     TEXT NOT NULL,
    -- Read back to sign every delivery, so kept as given; answered only
    -- when the webhook is created.
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Which events each webhook is sent, one row per event name (or `*`).
CREATE TABLE webhook_topics (
    event      TEXT NOT NULL,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    PRIMARY KEY (event, webhook_id)
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- What receivers de-duplicate by: random, the same at every attempt.
    delivery_id     TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    -- What the event is about: a `post` or a `tag`, by id and slug (what
    -- is sent when it is gone).
    subject         TEXT NOT NULL CHECK (subject IN ('post', 'tag')),
    subject_id      INTEGER NOT NULL,
    subject_slug    TEXT NOT NULL,
    -- Surrogate keys known when the change was made (space-separated).
    purge_keys      TEXT NOT NULL,
    -- When the change happened, or when a scheduled post comes due.
    occurred_at     TEXT NOT NULL,
    -- The body sent: written at the first attempt, the same at every retry.
    body            TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'failed')),
    -- NULL once delivered or failed.
    next_attempt_at TEXT,
    -- A server sending it holds it until then; after, another may.
    claimed_until   TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_of_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_of_subject ON webhook_deliveries (subject_id, event)
    WHERE state = 'pending' AND attempts = 0;

-- Scheduled posts whose `post.published` is still to come. When one comes
-- due, a server takes its row and records the event (for the webhooks
-- there are then) in one transaction: once, on whichever server, also
-- after a restart that slept through the time.
CREATE TABLE scheduled_publications (
    post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    due_at  TEXT NOT NULL
);
CREATE INDEX scheduled_publications_due ON scheduled_publications (due_at);
