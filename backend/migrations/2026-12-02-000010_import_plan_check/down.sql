ALTER TABLE import_rows DROP COLUMN planned_version;
ALTER TABLE imports DROP COLUMN planned_stamp;
