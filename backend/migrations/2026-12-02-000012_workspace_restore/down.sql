DROP INDEX imports_file;
ALTER TABLE imports DROP COLUMN file_id;
DELETE FROM imports WHERE kind = 'workspace_zip';
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('contacts_csv', 'vcard'));
