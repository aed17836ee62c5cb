-- The web origins whose pages may send a tenant's events (a JSON array; empty: every origin).
ALTER TABLE tenants ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';
