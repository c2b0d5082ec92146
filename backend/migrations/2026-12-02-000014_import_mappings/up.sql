-- Named column mappings an import can start from ("Our CRM export", "Trade show list").
CREATE TABLE import_mappings (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- Column name → field, as a preview takes it.
    mapping jsonb NOT NULL,
    policy text CHECK (policy IN ('fill_empty', 'overwrite', 'skip_existing')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX import_mappings_name_key ON import_mappings (workspace_id, lower(name));
CREATE INDEX import_mappings_created_by ON import_mappings (created_by) WHERE created_by IS NOT NULL;
