-- What the analytics queries add up per session (see Core/Sessions/Session.cs): revenue in one currency, the
-- orders it came from, and leads. Sessions built before this read 0 until the builder writes them again.
ALTER TABLE sessions ADD COLUMN revenue_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN revenue_currency TEXT;
ALTER TABLE sessions ADD COLUMN orders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN leads INTEGER NOT NULL DEFAULT 0;
