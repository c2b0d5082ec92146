-- Interactions from email and calendar files: `.eml` files, an mbox or `.ics` files become
-- interactions on the contacts their addresses match. A message or an event keeps its
-- Message-ID or UID, so importing it again adds nothing to a contact that has it already.
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('contacts_csv', 'vcard', 'eml', 'mbox', 'ics', 'workspace_zip'));
-- The preview's addresses that no contact has: [{email, name, messages}], most frequent first.
ALTER TABLE imports ADD COLUMN unmatched jsonb;
-- The addresses the user chose to create contacts for.
ALTER TABLE imports ADD COLUMN create_contacts text[];

ALTER TABLE interactions ADD COLUMN external_ref text CHECK (length(external_ref) BETWEEN 1 AND 1000);
CREATE UNIQUE INDEX interactions_external_ref ON interactions (contact_id, external_ref)
    WHERE external_ref IS NOT NULL;

-- What a message import wrote, for its rollback: the interactions, and the contacts it created
-- for unmatched addresses (with their version right after the commit).
CREATE TABLE import_interactions (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    interaction_id uuid NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    PRIMARY KEY (import_id, interaction_id)
);
CREATE INDEX import_interactions_interaction ON import_interactions (interaction_id);

CREATE TABLE import_contacts (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    version integer NOT NULL,
    PRIMARY KEY (import_id, contact_id)
);
CREATE INDEX import_contacts_contact ON import_contacts (contact_id);
