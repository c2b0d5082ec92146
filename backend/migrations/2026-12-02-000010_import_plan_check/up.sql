-- A commit applies the preview's plan as it is when nothing was written to the workspace since
-- (its newest history entry is still the one the preview saw) and every contact to update is
-- still at the version it was planned against; otherwise it plans again.
ALTER TABLE imports ADD COLUMN planned_stamp uuid;
ALTER TABLE import_rows ADD COLUMN planned_version integer;
