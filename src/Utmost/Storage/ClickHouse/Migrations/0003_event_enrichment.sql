-- What ingestion now derives per event (see the SQLite migration 0006). ClickHouse 18.16 has no ADD COLUMN IF NOT
-- EXISTS: the migrator treats "already exists" as done, so instances migrating at once do no harm.
ALTER TABLE marketing_events
    ADD COLUMN visitor_id Nullable(String),
    ADD COLUMN channel Nullable(String),
    ADD COLUMN source Nullable(String),
    ADD COLUMN medium Nullable(String),
    ADD COLUMN device_type Nullable(String),
    ADD COLUMN browser Nullable(String),
    ADD COLUMN os Nullable(String),
    ADD COLUMN is_bot UInt8 DEFAULT 0;

ALTER TABLE deleted_events ADD COLUMN is_bot UInt8 DEFAULT 0;
