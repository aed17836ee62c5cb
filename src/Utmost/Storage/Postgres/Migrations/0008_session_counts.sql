-- Sessions per quarter hour and channel (see the SQLite migration 0013).
CREATE TABLE session_counts (
    tenant_id TEXT   NOT NULL REFERENCES tenants (id),
    bucket    BIGINT NOT NULL,
    channel   TEXT   NOT NULL,
    sessions  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, bucket, channel)
);
