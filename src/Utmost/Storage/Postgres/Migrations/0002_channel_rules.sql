-- A tenant's own channel rules (see the SQLite migration 0007).
ALTER TABLE tenants ADD COLUMN channel_rules JSON NOT NULL DEFAULT '[]';
