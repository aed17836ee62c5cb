-- The web origins whose pages may send a tenant's events (see the SQLite migration 0015).
ALTER TABLE tenants ADD COLUMN allowed_origins JSON NOT NULL DEFAULT '[]';
