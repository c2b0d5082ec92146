ALTER TABLE import_rows DROP COLUMN reason_code, DROP COLUMN reason_params;
