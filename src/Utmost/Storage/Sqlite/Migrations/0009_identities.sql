-- POST /api/identify links an anonymous visitor to a person (user id, email, contact id). A visitor belongs to
-- one person at a time: a later link replaces an earlier one. A person's journey spans all their visitors.
CREATE TABLE identities (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    visitor_id TEXT    NOT NULL,
    user_id    TEXT,
    email      TEXT,
    contact_id TEXT,
    linked_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, visitor_id)
);

CREATE INDEX ix_identities_user ON identities (tenant_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX ix_identities_email ON identities (tenant_id, email) WHERE email IS NOT NULL;
CREATE INDEX ix_identities_contact ON identities (tenant_id, contact_id) WHERE contact_id IS NOT NULL;
