-- Each conversion's credit per attribution model, down to the campaign and source/medium of the touches that
-- earned it (AquaScene's revenue_attribution), so reports sum rows instead of rebuilding journeys. The
-- recomputation replaces a time range of conversions at once. Missing dimensions are stored as ''.
CREATE TABLE conversion_credits (
    tenant_id          TEXT    NOT NULL REFERENCES tenants (id),
    model              TEXT    NOT NULL,
    conversion_id      TEXT    NOT NULL,
    channel            TEXT    NOT NULL,
    campaign           TEXT    NOT NULL,
    source             TEXT    NOT NULL,
    medium             TEXT    NOT NULL,
    converted_at       INTEGER NOT NULL,
    credit             REAL    NOT NULL,
    value_micros       INTEGER NOT NULL,
    currency           TEXT    NOT NULL,
    returning_customer INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, model, conversion_id, channel, campaign, source, medium)
);
CREATE INDEX ix_conversion_credits_time ON conversion_credits (tenant_id, model, converted_at);
