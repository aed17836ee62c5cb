-- A tenant's own channel rules, tried in order before GA4's default channel group: a JSON array of
-- {name, lead_source, source_pattern, medium_pattern, campaign_pattern, is_active}.
ALTER TABLE tenants ADD COLUMN channel_rules TEXT NOT NULL DEFAULT '[]';
