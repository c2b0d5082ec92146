-- Why a record of an import is skipped, in error or updated, for programs: a stable code and
-- its parameters beside the English `reason`, so the web app can say it in the reader's
-- language. Plans made before this have only the English words.
ALTER TABLE import_rows ADD COLUMN reason_code text, ADD COLUMN reason_params jsonb;
