-- The session builder's own database (sessions.db beside utmost.db): its writes never touch the events file, so
-- they neither wait for ingestion's writer nor make it drop its page cache. With ClickHouse, sessions live in
-- ClickHouse and this file keeps only the builder's state. A session's id is the id of its first event; the builder
-- replaces a visitor's sessions from the one before any new event onwards, so a late event re-splits or merges them.
CREATE TABLE sessions (
    tenant_key        INTEGER NOT NULL,
    visitor_id        TEXT    NOT NULL,
    session_id        TEXT    NOT NULL,
    started_at        INTEGER NOT NULL,
    ended_at          INTEGER NOT NULL,
    traffic_key       TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    lead_source       TEXT    NOT NULL,
    source            TEXT,
    medium            TEXT,
    campaign          TEXT,
    content           TEXT,
    term              TEXT,
    click_id          TEXT,
    referrer          TEXT,
    referrer_domain   TEXT,
    landing_page      TEXT,
    exit_page         TEXT,
    first_event_type  TEXT    NOT NULL,
    device_type       TEXT,
    browser           TEXT,
    os                TEXT,
    user_id           TEXT,
    page_views        INTEGER NOT NULL,
    events            INTEGER NOT NULL,
    conversions       INTEGER NOT NULL,
    conversion_type   TEXT,
    conversion_value_micros INTEGER,
    currency          TEXT,
    order_id          TEXT
);

CREATE UNIQUE INDEX ux_sessions_visitor ON sessions (tenant_key, visitor_id, started_at, session_id);
CREATE INDEX ix_sessions_tenant_started ON sessions (tenant_key, started_at);

-- Visitors whose sessions must be built again from from_ms on (after a soft delete), beside the new events.
CREATE TABLE session_touches (
    seq        INTEGER PRIMARY KEY,
    tenant_key INTEGER NOT NULL,
    visitor_id TEXT    NOT NULL,
    from_ms    INTEGER NOT NULL
);

-- How far the builder got: the rowid of the last event of the local event table (or spool) it has built.
CREATE TABLE builder_state (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);
