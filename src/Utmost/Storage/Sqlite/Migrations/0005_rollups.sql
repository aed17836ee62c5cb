-- Rollups of the embedded event store, kept in the transaction of every insert: counts per quarter hour and
-- event type, and per value of utm_source / utm_medium / utm_campaign at quarter-hour (grain 15) and UTC-day
-- (grain 1440) buckets. Every local midnight in use falls on a quarter hour, so metrics over whole days in any
-- zone add up rollup rows instead of reading every event. They count every stored event; soft-deleted events
-- are subtracted when read, found through ix_events_deleted.
CREATE TABLE rollup_counts (
    tenant_key INTEGER NOT NULL,
    bucket     INTEGER NOT NULL,
    event_type TEXT    NOT NULL,
    events     INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, bucket, event_type)
) WITHOUT ROWID;

CREATE TABLE rollup_dimensions (
    tenant_key INTEGER NOT NULL,
    grain      INTEGER NOT NULL,
    bucket     INTEGER NOT NULL,
    dimension  TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    event_type TEXT    NOT NULL,
    events     INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, grain, bucket, dimension, value, event_type)
) WITHOUT ROWID;

CREATE INDEX ix_events_deleted ON marketing_events (tenant_key, created_at) WHERE deleted_at IS NOT NULL;

INSERT INTO rollup_counts (tenant_key, bucket, event_type, events)
SELECT tenant_key, created_at / 900000 * 900000, event_type, COUNT(*) FROM marketing_events GROUP BY 1, 2, 3;

INSERT INTO rollup_dimensions (tenant_key, grain, bucket, dimension, value, event_type, events)
SELECT tenant_key, grain.minutes, created_at / (grain.minutes * 60000) * (grain.minutes * 60000), dimension.name,
       CASE dimension.name WHEN 'utm_source' THEN utm_source WHEN 'utm_medium' THEN utm_medium ELSE utm_campaign END AS value,
       event_type, COUNT(*)
FROM marketing_events
CROSS JOIN (SELECT 15 AS minutes UNION ALL SELECT 1440) AS grain
CROSS JOIN (SELECT 'utm_source' AS name UNION ALL SELECT 'utm_medium' UNION ALL SELECT 'utm_campaign') AS dimension
WHERE value IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;

-- With ClickHouse, the spool keeps its own rollups of the events it has shipped, as running totals per key.
-- Publishing a total (not an increment) to ClickHouse twice is harmless, so rollups there are exact even when a
-- publish is retried. version is the spool rowid of the batch that last changed a row: what is newer than the
-- last published version is published next.
CREATE TABLE spool_rollup_counts (
    tenant_key INTEGER NOT NULL,
    bucket     INTEGER NOT NULL,
    event_type TEXT    NOT NULL,
    events     INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, bucket, event_type)
) WITHOUT ROWID;

CREATE INDEX ix_spool_rollup_counts_version ON spool_rollup_counts (version);

CREATE TABLE spool_rollup_dimensions (
    tenant_key INTEGER NOT NULL,
    grain      INTEGER NOT NULL,
    bucket     INTEGER NOT NULL,
    dimension  TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    event_type TEXT    NOT NULL,
    events     INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, grain, bucket, dimension, value, event_type)
) WITHOUT ROWID;

CREATE INDEX ix_spool_rollup_dimensions_version ON spool_rollup_dimensions (version);

-- Soft deletes waiting to be shipped to ClickHouse's deleted_events, with what the rollups need to subtract them.
-- (Before, a delete was queued by rowid and shipped as a newer version of the event.)
CREATE TABLE spool_deleted_events (
    seq          INTEGER PRIMARY KEY,
    tenant_key   INTEGER NOT NULL,
    id           TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    event_type   TEXT    NOT NULL,
    utm_source   TEXT,
    utm_medium   TEXT,
    utm_campaign TEXT,
    deleted_at   INTEGER NOT NULL
);

INSERT INTO spool_deleted_events (tenant_key, id, created_at, event_type, utm_source, utm_medium, utm_campaign, deleted_at)
SELECT e.tenant_key, e.id, e.created_at, e.event_type, e.utm_source, e.utm_medium, e.utm_campaign, e.deleted_at
FROM spool_deletes AS d JOIN marketing_events AS e ON e.rowid = d.event_rowid
WHERE e.deleted_at IS NOT NULL
ORDER BY d.seq;

DROP TABLE spool_deletes;
