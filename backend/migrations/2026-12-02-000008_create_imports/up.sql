-- Imports of contacts (with their companies) from a CSV or vCard file: the upload is parsed into
-- import_rows (one row per record, its cells in the header's order); a preview writes each row's
-- outcome; the commit (a job) applies them in one transaction and records what it did, so that a
-- rollback can undo it.
CREATE TABLE imports (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('contacts_csv', 'vcard')),
    status text NOT NULL DEFAULT 'uploaded'
        CHECK (status IN ('uploaded', 'previewed', 'queued', 'running', 'committed', 'failed', 'rolled_back')),
    file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    file_bytes bigint NOT NULL CHECK (file_bytes >= 0),
    encoding text NOT NULL,
    delimiter text,
    column_names text[] NOT NULL,
    -- The header's fingerprint: a later file with the same header is offered the same mapping.
    header_key text NOT NULL,
    row_count integer NOT NULL CHECK (row_count >= 0),
    notices text[] NOT NULL DEFAULT '{}',
    mapping jsonb,
    policy text CHECK (policy IN ('fill_empty', 'overwrite', 'skip_existing')),
    counts jsonb,
    result jsonb,
    error text,
    job_id uuid REFERENCES jobs (id) ON DELETE SET NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by_name text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    committed_at timestamptz,
    rolled_back_at timestamptz
);
CREATE INDEX imports_workspace_created ON imports (workspace_id, created_at DESC, id DESC);
CREATE INDEX imports_header_key ON imports (workspace_id, header_key, created_at DESC) WHERE mapping IS NOT NULL;
CREATE INDEX imports_job ON imports (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX imports_created_by ON imports (created_by) WHERE created_by IS NOT NULL;

CREATE TABLE import_rows (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    -- 1 for the first record after the header.
    row_no integer NOT NULL CHECK (row_no >= 1),
    cells text[] NOT NULL,
    outcome text CHECK (outcome IN ('create', 'update', 'skip', 'error')),
    -- Why a row is skipped or in error; which fields an update changes.
    reason text,
    -- error: the column at fault.
    error_column text,
    -- create: the new contact's id (chosen when planned, so no foreign key: the contact exists
    -- only once the import is committed); update/skip: the matched contact.
    contact_id uuid,
    -- create: every value; update: the changed values.
    payload jsonb,
    -- update: the values the changed fields had before.
    before jsonb,
    -- The contact's version right after the commit: a rollback leaves it alone when it moved since.
    after_version integer,
    -- What the rollback did with this row.
    rollback text CHECK (rollback IN ('removed', 'reverted', 'kept_changed', 'kept_missing')),
    PRIMARY KEY (import_id, row_no)
);
CREATE INDEX import_rows_outcome ON import_rows (import_id, outcome, row_no);
CREATE INDEX import_rows_contact ON import_rows (contact_id) WHERE contact_id IS NOT NULL;

-- Companies an import created (removed again by its rollback when nothing else uses them).
CREATE TABLE import_companies (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    company_id uuid NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    PRIMARY KEY (import_id, company_id)
);
CREATE INDEX import_companies_company ON import_companies (company_id);
