DROP TABLE import_contacts;
DROP TABLE import_interactions;
DROP INDEX interactions_external_ref;
ALTER TABLE interactions DROP COLUMN external_ref;
ALTER TABLE imports DROP COLUMN create_contacts;
ALTER TABLE imports DROP COLUMN unmatched;
DELETE FROM imports WHERE kind IN ('eml', 'mbox', 'ics');
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check CHECK (kind IN ('contacts_csv', 'vcard', 'workspace_zip'));
