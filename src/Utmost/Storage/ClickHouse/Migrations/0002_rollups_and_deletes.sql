-- Exactly-once shipping: events arrive once each, so reads need no FINAL over millions of rows. A soft delete is
-- a row here instead of a newer version of the event; reads leave these ids out, and the rollup readers subtract
-- them (the rollups count every event stored). Deleting an event twice leaves one row after FINAL.
CREATE TABLE IF NOT EXISTS deleted_events (
    tenant_key   UInt64,
    id           String,
    created_at   UInt64,
    event_type   String,
    utm_source   Nullable(String),
    utm_medium   Nullable(String),
    utm_campaign Nullable(String),
    deleted_at   UInt64
) ENGINE = ReplacingMergeTree(deleted_at)
PARTITION BY toYYYYMM(toDateTime(intDiv(created_at, 1000)))
ORDER BY (tenant_key, id);

-- Rollups (see the SQLite migration 0005 for the grains). Each Utmost spool publishes its running totals under
-- its own id; a total published again replaces the older one (ReplacingMergeTree by version, read with FINAL),
-- so retries never count twice, and readers add up the spools.
CREATE TABLE IF NOT EXISTS rollup_counts (
    tenant_key UInt64,
    bucket     UInt64,
    event_type String,
    spool      UInt64,
    events     Int64,
    version    UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(toDateTime(intDiv(bucket, 1000)))
ORDER BY (tenant_key, bucket, event_type, spool);

CREATE TABLE IF NOT EXISTS rollup_dimensions (
    tenant_key UInt64,
    grain      UInt16,
    bucket     UInt64,
    dimension  String,
    value      String,
    event_type String,
    spool      UInt64,
    events     Int64,
    version    UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(toDateTime(intDiv(bucket, 1000)))
ORDER BY (tenant_key, grain, bucket, dimension, value, event_type, spool);

-- Events stored before this version: soft deletes move to deleted_events, duplicates from at-least-once shipping
-- merge away (a deleted event keeps its deleted version, which reads now leave out through deleted_events),
-- and the rollups start from what is there, under spool 0.
INSERT INTO deleted_events
SELECT tenant_key, id, created_at, event_type, utm_source, utm_medium, utm_campaign, assumeNotNull(deleted_at)
FROM marketing_events FINAL WHERE isNotNull(deleted_at);

OPTIMIZE TABLE marketing_events FINAL;

INSERT INTO rollup_counts
SELECT tenant_key, intDiv(created_at, 900000) * 900000 AS quarter, event_type, toUInt64(0), toInt64(count()), toUInt64(1)
FROM marketing_events FINAL GROUP BY tenant_key, quarter, event_type;

-- Every (grain, dimension) of every event with a value there.
INSERT INTO rollup_dimensions
SELECT tenant_key, grain, intDiv(created_at, grain * 60000) * grain * 60000 AS bucket, dimension, assumeNotNull(value) AS v, event_type,
       toUInt64(0), toInt64(count()), toUInt64(1)
FROM (
    SELECT tenant_key, created_at, event_type, dimension, value FROM marketing_events FINAL
    ARRAY JOIN ['utm_source', 'utm_medium', 'utm_campaign'] AS dimension, [utm_source, utm_medium, utm_campaign] AS value
    WHERE isNotNull(value)
)
ARRAY JOIN [toUInt16(15), toUInt16(1440)] AS grain
GROUP BY tenant_key, grain, bucket, dimension, v, event_type;
