-- The visit rollup (see the SQLite sessions migration 0003). A day is rolled up again by writing all its rows
-- with a higher version, including one row of no visits (combination ''), so the day's latest version is known
-- even when it lost every visit; readers take each day's latest version, and merges drop a combination's older rows.
CREATE TABLE IF NOT EXISTS visit_rollup (
    tenant_key        UInt64,
    day               Int32,
    combination       String,
    version           UInt64,
    channel           String,
    source            Nullable(String),
    medium            Nullable(String),
    campaign          Nullable(String),
    revenue_currency  Nullable(String),
    visits            UInt64,
    page_views        UInt64,
    events            UInt64,
    bounces           UInt64,
    duration_ms       UInt64,
    converted         UInt64,
    conversions       UInt64,
    leads             UInt64,
    revenue_micros    Int64,
    orders            UInt64,
    visitor_hashes    Array(UInt64),
    visitor_registers Array(UInt8)
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(toDateTime(toUInt32(day) * 86400, 'UTC'))
ORDER BY (tenant_key, day, combination);
