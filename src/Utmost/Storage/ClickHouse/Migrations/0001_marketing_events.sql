-- Events in ClickHouse. Rows arrive from the local spool, possibly more than once: ReplacingMergeTree keyed by
-- (tenant_key, created_at, id) keeps one row per event, the one with the highest version (a soft delete ships
-- the event again with a higher version and deleted_at set). Reads use FINAL, so duplicates never count twice.
-- Monthly partitions make retention a matter of dropping whole partitions.
CREATE TABLE IF NOT EXISTS marketing_events (
    tenant_key        UInt64,
    id                String,
    event_id          Nullable(String),
    event_type        String,
    event_name        Nullable(String),
    page_url          Nullable(String),
    referrer_url      Nullable(String),
    utm_source        Nullable(String),
    utm_medium        Nullable(String),
    utm_campaign      Nullable(String),
    utm_term          Nullable(String),
    utm_content       Nullable(String),
    ad_source         Nullable(String),
    lead_source       String,
    user_agent        Nullable(String),
    ip_address        Nullable(String),
    session_id        Nullable(String),
    user_id           Nullable(String),
    user_id_is_number UInt8,
    lead_id           Nullable(String),
    lead_id_is_number UInt8,
    properties        String,
    metadata          String,
    created_at        UInt64,
    received_at       UInt64,
    deleted_at        Nullable(UInt64),
    version           UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(toDateTime(intDiv(created_at, 1000)))
ORDER BY (tenant_key, created_at, id)
