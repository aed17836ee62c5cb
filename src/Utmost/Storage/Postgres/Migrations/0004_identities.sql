-- Visitors linked to people (see the SQLite migration 0009).
CREATE TABLE identities (
    tenant_id  TEXT        NOT NULL REFERENCES tenants (id),
    visitor_id TEXT        NOT NULL,
    user_id    TEXT,
    email      TEXT,
    contact_id TEXT,
    linked_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, visitor_id)
);

CREATE INDEX ix_identities_user ON identities (tenant_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX ix_identities_email ON identities (tenant_id, email) WHERE email IS NOT NULL;
CREATE INDEX ix_identities_contact ON identities (tenant_id, contact_id) WHERE contact_id IS NOT NULL;
