-- Conversions carry their order and value (to the micro-unit, so sums are exact) in an ISO 4217 currency.
ALTER TABLE marketing_events ADD COLUMN order_id TEXT;
ALTER TABLE marketing_events ADD COLUMN revenue_micros INTEGER;
ALTER TABLE marketing_events ADD COLUMN currency TEXT;
