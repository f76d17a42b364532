-- Schema version 1. Never edit once released: add a new migration instead.
-- Timestamps are fixed-width RFC 3339 UTC text (2026-01-01T00:00:00.000000000Z), so they sort and
-- compare as text. Scopes are their canonical ids (owner/name, org:acme, enterprise:slug).

-- One row per committed scope: its version, its ScopeRecord (JSON) and the outbox counter.
CREATE TABLE scopes (
    scope             TEXT PRIMARY KEY NOT NULL,
    version           INTEGER NOT NULL CHECK (version >= 0),
    record            TEXT NOT NULL,
    last_delivery_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_delivery_seq >= 0)
) STRICT;

-- The runners a scope knows, by name. status: ONLINE 1, OFFLINE 2, BUSY 3, UNKNOWN 4, IDLE 5.
CREATE TABLE runners (
    scope         TEXT NOT NULL REFERENCES scopes (scope),
    name          TEXT NOT NULL,
    github_id     INTEGER NOT NULL,
    previous_ids  TEXT NOT NULL,    -- JSON array, oldest first
    status        INTEGER NOT NULL CHECK (status BETWEEN 1 AND 5),
    busy          INTEGER NOT NULL,
    os            TEXT NOT NULL,
    labels        TEXT NOT NULL,    -- JSON array
    ephemeral     INTEGER NOT NULL,
    group_id      INTEGER,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    since         TEXT NOT NULL,
    ever_healthy  INTEGER NOT NULL,
    PRIMARY KEY (scope, name)
) STRICT, WITHOUT ROWID;

-- Outage history, open (resolved_at NULL) and resolved. The primary key serves "newest first".
CREATE TABLE outages (
    scope            TEXT NOT NULL REFERENCES scopes (scope),
    runner           TEXT NOT NULL,
    id               INTEGER NOT NULL CHECK (id >= 1),
    runner_id        INTEGER NOT NULL,
    trigger_status   INTEGER NOT NULL,
    started_at       TEXT NOT NULL,
    resolved_at      TEXT,
    resolution       TEXT CHECK (resolution IN ('recovered', 'removed')),
    recovered_status INTEGER,
    description      TEXT NOT NULL,
    reminders        INTEGER NOT NULL DEFAULT 0,
    last_reminded_at TEXT,
    PRIMARY KEY (scope, runner, id),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
) STRICT, WITHOUT ROWID;
-- At most one open outage per runner, enforced; also how a load finds the open ones.
CREATE UNIQUE INDEX outages_open ON outages (scope, runner) WHERE resolved_at IS NULL;
-- History expiry.
CREATE INDEX outages_resolved ON outages (scope, resolved_at) WHERE resolved_at IS NOT NULL;

-- The last outage id per runner name: survives forgetting the runner and history expiry.
CREATE TABLE outage_counters (
    scope   TEXT NOT NULL REFERENCES scopes (scope),
    runner  TEXT NOT NULL,
    last_id INTEGER NOT NULL CHECK (last_id >= 1),
    PRIMARY KEY (scope, runner)
) STRICT, WITHOUT ROWID;

-- The transactional outbox: one row per notification per sink. Pending while settled_at is NULL.
CREATE TABLE deliveries (
    scope           TEXT NOT NULL REFERENCES scopes (scope),
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    sink            TEXT NOT NULL,
    notification    TEXT NOT NULL,  -- Notification as JSON
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,           -- last failure, or why it was abandoned
    settled_at      TEXT,
    outcome         TEXT CHECK (outcome IN ('delivered', 'abandoned')),
    PRIMARY KEY (scope, seq),
    CHECK ((settled_at IS NULL) = (outcome IS NULL))
) STRICT;
-- The dispatcher's query: pending, oldest first.
CREATE INDEX deliveries_pending ON deliveries (created_at, scope, seq) WHERE settled_at IS NULL;
-- Expiry of settled deliveries.
CREATE INDEX deliveries_settled ON deliveries (scope, settled_at) WHERE settled_at IS NOT NULL;
