-- Tenants and their API keys. Keys are stored as SHA-256 hashes; only a short prefix is kept readable.
-- `key` is a small internal number that event rows carry instead of the 36-character public id.
CREATE TABLE tenants (
    key              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    slug             TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL,
    site_key         TEXT    NOT NULL UNIQUE,
    time_zone        TEXT    NOT NULL DEFAULT 'UTC',
    conversion_goals TEXT    NOT NULL DEFAULT '["quote_requested","job_created","purchase"]',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    role       TEXT    NOT NULL,
    key_hash   TEXT    NOT NULL UNIQUE,
    key_prefix TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id);
