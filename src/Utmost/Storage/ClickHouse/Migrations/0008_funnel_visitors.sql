-- Funnel days as one row per funnel and visitor (replacing funnel_days of 0007): the visitor's days in ascending
-- order, with each day's level and seconds to the steps reached (see Funnels/FunnelDayStores.cs). A report reads one
-- row per visitor and needs no grouping.
-- A funnel is built whole as a generation, committed by a row of visitor 0 written last; readers take the latest
-- committed generation. Each generation is a partition of its own, so older ones are dropped whole.
-- A visitor moved on is written again as a -1 copy of the row read and a +1 row with a new version; the server
-- collapses the pair in a merge, and until then readers leave out the +1 rows whose version has a -1 twin.
DROP TABLE IF EXISTS funnel_days;

CREATE TABLE IF NOT EXISTS funnel_visitors (
    tenant_key   UInt64,
    funnel_id    String,
    generation   UInt64,
    visitor_hash UInt64,
    version      UInt64,
    sign         Int8,
    max_level    UInt8,
    days         Array(Int32),
    levels       Array(UInt8),
    seconds      Array(Array(UInt32))
) ENGINE = VersionedCollapsingMergeTree(sign, version)
PARTITION BY generation
ORDER BY (tenant_key, funnel_id, generation, visitor_hash);
