-- Daily cookieless visitor ids (see the SQLite migration 0008).
ALTER TABLE tenants ADD COLUMN cookieless_visitors BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE visitor_salts (
    day  BIGINT NOT NULL PRIMARY KEY,
    salt BYTEA  NOT NULL
);
