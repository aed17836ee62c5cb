-- Sessions per quarter hour (of their start) and channel, stored with the conversion credits by the same
-- recomputation, so the channel report's conversion rate divides numbers of one moment.
CREATE TABLE session_counts (
    tenant_id TEXT    NOT NULL REFERENCES tenants (id),
    bucket    INTEGER NOT NULL,
    channel   TEXT    NOT NULL,
    sessions  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, bucket, channel)
);
