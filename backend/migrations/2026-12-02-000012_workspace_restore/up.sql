-- A workspace export (.zip) can be imported into an empty workspace: the upload is kept as a
-- stored file until the restore (a job) reads it.
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('contacts_csv', 'vcard', 'workspace_zip'));
ALTER TABLE imports ADD COLUMN file_id uuid REFERENCES stored_files (id) ON DELETE SET NULL;
CREATE INDEX imports_file ON imports (file_id) WHERE file_id IS NOT NULL;
