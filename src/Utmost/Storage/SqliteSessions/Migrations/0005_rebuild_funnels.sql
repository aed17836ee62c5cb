-- On ClickHouse, funnel days moved to a new table (ClickHouse migration 0008): every funnel is built again on its next
-- report. The embedded engine's funnel days are unchanged; rebuilding them once costs only time.
DELETE FROM funnel_days_built;
