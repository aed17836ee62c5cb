-- What the analytics queries add up per session (see the SQLite sessions migration 0002).
ALTER TABLE sessions
    ADD COLUMN revenue_micros Int64 DEFAULT 0,
    ADD COLUMN revenue_currency Nullable(String),
    ADD COLUMN orders UInt32 DEFAULT 0,
    ADD COLUMN leads UInt32 DEFAULT 0;
