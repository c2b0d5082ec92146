-- Workspace-defined fields on contacts, companies and deals. Values live in each record's
-- custom_fields JSON object, checked against these definitions on every write.
CREATE TABLE custom_field_definitions (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    entity text NOT NULL CHECK (entity IN ('contact', 'company', 'deal')),
    key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    field_type text NOT NULL CHECK (field_type IN ('text', 'number', 'date', 'boolean', 'url', 'select', 'multi_select')),
    options text[] NOT NULL DEFAULT '{}',
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, entity, key)
);
ALTER TABLE companies ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb;
-- `custom_field=key:value` filters use JSON containment.
CREATE INDEX contacts_custom_fields_gin ON contacts USING gin (custom_fields jsonb_path_ops);
CREATE INDEX companies_custom_fields_gin ON companies USING gin (custom_fields jsonb_path_ops);
