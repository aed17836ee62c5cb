-- Advertising cost per day and campaign or source/medium (what ad platforms export), for ROAS, CPA and CPC.
-- A missing campaign, source or medium is stored as '' so the key stays unique: importing a day again replaces it.
CREATE TABLE daily_costs (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    day         TEXT    NOT NULL,
    campaign    TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    medium      TEXT    NOT NULL,
    cost_micros INTEGER NOT NULL,
    clicks      INTEGER,
    impressions INTEGER,
    currency    TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, campaign, source, medium)
);
