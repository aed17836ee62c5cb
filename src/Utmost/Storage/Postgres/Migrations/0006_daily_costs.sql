-- Advertising cost per day (see the SQLite migration 0011).
CREATE TABLE daily_costs (
    tenant_id   TEXT        NOT NULL REFERENCES tenants (id),
    day         DATE        NOT NULL,
    campaign    TEXT        NOT NULL,
    source      TEXT        NOT NULL,
    medium      TEXT        NOT NULL,
    cost_micros BIGINT      NOT NULL,
    clicks      BIGINT,
    impressions BIGINT,
    currency    TEXT        NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, day, campaign, source, medium)
);
