-- Operational data on PostgreSQL: tenants, their API keys, and campaigns. Same shapes as the SQLite schema,
-- in PostgreSQL's own types (timestamptz, numeric, json: kept as sent, so answers match SQLite's). Events never live here.
CREATE TABLE tenants (
    key              BIGSERIAL   PRIMARY KEY,
    id               TEXT        NOT NULL UNIQUE,
    slug             TEXT        NOT NULL UNIQUE,
    name             TEXT        NOT NULL,
    site_key         TEXT        NOT NULL UNIQUE,
    time_zone        TEXT        NOT NULL DEFAULT 'UTC',
    conversion_goals JSON        NOT NULL DEFAULT '["quote_requested","job_created","purchase"]',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT        NOT NULL PRIMARY KEY,
    tenant_id  TEXT        NOT NULL REFERENCES tenants (id),
    role       TEXT        NOT NULL,
    key_hash   TEXT        NOT NULL UNIQUE,
    key_prefix TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE marketing_campaigns (
    id              TEXT          NOT NULL PRIMARY KEY,
    tenant_id       TEXT          NOT NULL REFERENCES tenants (id),
    campaign_name   TEXT          NOT NULL,
    campaign_type   TEXT,
    status          TEXT          NOT NULL DEFAULT 'active',
    start_date      TIMESTAMPTZ,
    end_date        TIMESTAMPTZ,
    budget          NUMERIC(10, 2),
    spent           NUMERIC(10, 2) NOT NULL DEFAULT 0,
    currency        TEXT          NOT NULL DEFAULT 'USD',
    utm_campaign    TEXT,
    utm_source      TEXT,
    utm_medium      TEXT,
    target_audience JSON          NOT NULL DEFAULT '{}',
    metrics         JSON          NOT NULL DEFAULT '{}',
    metadata        JSON          NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ   NOT NULL,
    updated_at      TIMESTAMPTZ   NOT NULL,
    deleted_at      TIMESTAMPTZ
);

CREATE INDEX ix_campaigns_tenant_created ON marketing_campaigns (tenant_id, created_at);
CREATE INDEX ix_campaigns_tenant_status ON marketing_campaigns (tenant_id, status);
