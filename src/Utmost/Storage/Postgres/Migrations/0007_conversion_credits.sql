-- Each conversion's credit per attribution model (see the SQLite migration 0012).
CREATE TABLE conversion_credits (
    tenant_id          TEXT             NOT NULL REFERENCES tenants (id),
    model              TEXT             NOT NULL,
    conversion_id      TEXT             NOT NULL,
    channel            TEXT             NOT NULL,
    campaign           TEXT             NOT NULL,
    source             TEXT             NOT NULL,
    medium             TEXT             NOT NULL,
    converted_at       BIGINT           NOT NULL,
    credit             DOUBLE PRECISION NOT NULL,
    value_micros       BIGINT           NOT NULL,
    currency           TEXT             NOT NULL,
    returning_customer BOOLEAN          NOT NULL,
    PRIMARY KEY (tenant_id, model, conversion_id, channel, campaign, source, medium)
);
CREATE INDEX ix_conversion_credits_time ON conversion_credits (tenant_id, model, converted_at);
