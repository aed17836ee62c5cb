-- Visitors without a visitor_id get a daily cookieless id when the tenant allows it (the default). The salts live
-- here, one per UTC day, and are deleted the day after: never beside the events they helped to count.
ALTER TABLE tenants ADD COLUMN cookieless_visitors INTEGER NOT NULL DEFAULT 1;

CREATE TABLE visitor_salts (
    day  INTEGER NOT NULL PRIMARY KEY,
    salt BLOB    NOT NULL
);
