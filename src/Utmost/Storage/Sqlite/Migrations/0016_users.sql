-- People who sign in to the dashboard with an email address and a password (see Users/). An address belongs to one
-- tenant, so signing in needs nothing else. The password is stored only as a PBKDF2 hash with its salt and cost.
CREATE TABLE users (
    id            TEXT   NOT NULL PRIMARY KEY,
    tenant_id     TEXT   NOT NULL REFERENCES tenants (id),
    email         TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    role          TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE INDEX ix_users_tenant ON users (tenant_id);
