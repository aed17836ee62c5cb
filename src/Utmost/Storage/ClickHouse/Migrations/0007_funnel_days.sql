-- Funnel days (see the SQLite sessions migration 0004). A funnel is built whole as a generation, committed by a row of
-- visitor 0 written last; readers take the latest committed generation, so a build cut short is never read, and rows of
-- two generations never merge (the generation is in the key). Within a generation a visitor's day is written again
-- with a higher version when new events move it on (never back: that rebuilds the funnel): versions of one row may
-- stand side by side until a merge, so readers count visitors (any version) or take each row's latest version.
CREATE TABLE IF NOT EXISTS funnel_days (
    tenant_key   UInt64,
    funnel_id    String,
    generation   UInt64,
    day          Int32,
    visitor_hash UInt64,
    version      UInt64,
    level        UInt8,
    seconds      Array(UInt32)
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(toDateTime(toUInt32(day) * 86400, 'UTC'))
ORDER BY (tenant_key, funnel_id, generation, day, visitor_hash);
