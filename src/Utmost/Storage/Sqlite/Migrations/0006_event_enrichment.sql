-- What ingestion now derives per event: the visitor, the channel with the normalised source and medium it was
-- decided on, and the device from the user agent. Events stored before stay as they were (null; not bots).
ALTER TABLE marketing_events ADD COLUMN visitor_id TEXT;
ALTER TABLE marketing_events ADD COLUMN channel TEXT;
ALTER TABLE marketing_events ADD COLUMN source TEXT;
ALTER TABLE marketing_events ADD COLUMN medium TEXT;
ALTER TABLE marketing_events ADD COLUMN device_type TEXT;
ALTER TABLE marketing_events ADD COLUMN browser TEXT;
ALTER TABLE marketing_events ADD COLUMN os TEXT;
-- Bots are stored but left out of metrics and rollups.
ALTER TABLE marketing_events ADD COLUMN is_bot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spool_deleted_events ADD COLUMN is_bot INTEGER NOT NULL DEFAULT 0;
