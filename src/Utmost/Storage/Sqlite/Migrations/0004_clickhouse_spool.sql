-- When ClickHouse holds the events, marketing_events here is the durable spool: rows are acknowledged once
-- committed here and shipped in rowid order. spool_state keeps how far shipping got; spool_deletes queues soft
-- deletes of spooled events, which are shipped again as a newer version.
CREATE TABLE spool_state (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE spool_deletes (
    seq         INTEGER PRIMARY KEY,
    event_rowid INTEGER NOT NULL
);
