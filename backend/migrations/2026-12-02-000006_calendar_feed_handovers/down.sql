-- The table belongs to 2026-12-02-000003, whose down migration drops it.
SELECT 1;
