-- Conversions carry their order and value (see the SQLite migration 0010).
ALTER TABLE marketing_events
    ADD COLUMN order_id Nullable(String),
    ADD COLUMN revenue_micros Nullable(Int64),
    ADD COLUMN currency Nullable(String);

-- Sessions built from the events (see Sessions/SessionBuilder.cs). The builder writes a visitor's sessions
-- again from the one before any new event onwards, under a lock and with a rising version: a session that no
-- longer exists gets a row with is_deleted = 1. Reads use FINAL and leave deleted rows out. A session keeps its
-- id and start (those of its first event), so all its versions share a partition and, on a cluster, a shard.
CREATE TABLE IF NOT EXISTS sessions (
    tenant_key        UInt64,
    visitor_id        String,
    session_id        String,
    started_at        UInt64,
    ended_at          UInt64,
    traffic_key       String,
    channel           String,
    lead_source       String,
    source            Nullable(String),
    medium            Nullable(String),
    campaign          Nullable(String),
    content           Nullable(String),
    term              Nullable(String),
    click_id          Nullable(String),
    referrer          Nullable(String),
    referrer_domain   Nullable(String),
    landing_page      Nullable(String),
    exit_page         Nullable(String),
    first_event_type  String,
    device_type       Nullable(String),
    browser           Nullable(String),
    os                Nullable(String),
    user_id           Nullable(String),
    page_views        UInt32,
    events            UInt32,
    conversions       UInt32,
    conversion_type   Nullable(String),
    conversion_value_micros Nullable(Int64),
    currency          Nullable(String),
    order_id          Nullable(String),
    is_deleted        UInt8,
    version           UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(toDateTime(intDiv(started_at, 1000)))
ORDER BY (tenant_key, visitor_id, session_id);
