-- Campaigns of the AEON module. Money is exact decimal text in the campaign's ISO 4217 currency.
CREATE TABLE marketing_campaigns (
    id              TEXT    NOT NULL PRIMARY KEY,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    campaign_name   TEXT    NOT NULL,
    campaign_type   TEXT,
    status          TEXT    NOT NULL DEFAULT 'active',
    start_date      INTEGER,
    end_date        INTEGER,
    budget          TEXT,
    spent           TEXT    NOT NULL DEFAULT '0',
    currency        TEXT    NOT NULL DEFAULT 'USD',
    utm_campaign    TEXT,
    utm_source      TEXT,
    utm_medium      TEXT,
    target_audience TEXT    NOT NULL DEFAULT '{}',
    metrics         TEXT    NOT NULL DEFAULT '{}',
    metadata        TEXT    NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);

CREATE INDEX ix_campaigns_tenant_created ON marketing_campaigns (tenant_id, created_at);
CREATE INDEX ix_campaigns_tenant_status ON marketing_campaigns (tenant_id, status);
