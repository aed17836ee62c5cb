-- The visit rollup (see Query/VisitRollups.cs): per tenant, local day and traffic source, the visits added up and
-- their visitors as a sketch that merges (Core/Query/VisitorSketch.cs): the hashes of up to 512 visitors, or 4,096
-- registers; beside it, a row per revenue currency with the revenue and orders alone. The dashboard's overview reads
-- these few rows instead of every visit.
CREATE TABLE visit_rollup (
    tenant_key        INTEGER NOT NULL,
    day               INTEGER NOT NULL,
    channel           TEXT    NOT NULL,
    source            TEXT,
    medium            TEXT,
    campaign          TEXT,
    revenue_currency  TEXT,
    visits            INTEGER NOT NULL,
    page_views        INTEGER NOT NULL,
    events            INTEGER NOT NULL,
    bounces           INTEGER NOT NULL,
    duration_ms       INTEGER NOT NULL,
    converted         INTEGER NOT NULL,
    conversions       INTEGER NOT NULL,
    leads             INTEGER NOT NULL,
    revenue_micros    INTEGER NOT NULL,
    orders            INTEGER NOT NULL,
    visitor_hashes    BLOB    NOT NULL,
    visitor_registers BLOB    NOT NULL
);

CREATE INDEX ix_visit_rollup_day ON visit_rollup (tenant_key, day);

-- Spans of session starts (UTC epoch ms) whose days are to be rolled up again: the builder adds one before it
-- writes sessions (should it crash) and one after (should a rollup have read them in between), and the rollup
-- removes those it has done.
CREATE TABLE visit_rollup_dirty (
    seq        INTEGER PRIMARY KEY,
    tenant_key INTEGER NOT NULL,
    from_ms    INTEGER NOT NULL,
    to_ms      INTEGER NOT NULL,
    marked_at  INTEGER NOT NULL
);

-- The zone each tenant's days were rolled up in: another zone means other days, and a rollup from scratch.
CREATE TABLE visit_rollup_tenants (
    tenant_key INTEGER PRIMARY KEY,
    time_zone  TEXT    NOT NULL
);
