-- Funnel days (see Funnels/FunnelDays.cs): per tenant, funnel, local day and visitor (a 64-bit hash of the visitor id),
-- how far the visitor's entries of that day got (level >= 1) and the seconds from the latest entry that got that far to
-- each later step reached (comma-separated; empty at level 1). A funnel report over whole days counts these rows
-- instead of following every visitor through the events.
CREATE TABLE funnel_days (
    tenant_key   INTEGER NOT NULL,
    funnel_id    TEXT    NOT NULL,
    day          INTEGER NOT NULL,
    visitor_hash INTEGER NOT NULL,
    level        INTEGER NOT NULL,
    seconds      TEXT    NOT NULL,
    PRIMARY KEY (tenant_key, funnel_id, visitor_hash, day)
) WITHOUT ROWID;

-- Covers counting a period's visitors.
CREATE INDEX ix_funnel_days_day ON funnel_days (tenant_key, funnel_id, day, level, visitor_hash);

-- Visitors whose sessions the builder is about to write, and the span their events may have changed in: their funnel
-- days from the window before that span to its end are made again, and the marks then removed. A funnel keeps the
-- last seq it took in, so seq never goes back (AUTOINCREMENT).
CREATE TABLE funnel_days_dirty (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key INTEGER NOT NULL,
    visitor_id TEXT    NOT NULL,
    from_ms    INTEGER NOT NULL,
    to_ms      INTEGER NOT NULL
);

CREATE INDEX ix_funnel_days_dirty_tenant ON funnel_days_dirty (tenant_key, seq);

-- The funnels whose days are built: in which zone, and up to which mark. A funnel not here (new, or its tenant's zone
-- changed, or retention cut its oldest events) is built from scratch.
CREATE TABLE funnel_days_built (
    tenant_key INTEGER NOT NULL,
    funnel_id  TEXT    NOT NULL,
    time_zone  TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, funnel_id)
);
