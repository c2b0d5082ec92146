-- Saved views (segments): a named list query (filters and sort, as the list endpoint takes them)
-- and columns for contacts, companies or deals; private to its owner or shared with the
-- workspace.
CREATE TABLE saved_views (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('contact', 'company', 'deal')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    query text NOT NULL CHECK (length(query) <= 2000),
    display_columns text[] NOT NULL DEFAULT '{}',
    shared boolean NOT NULL DEFAULT false,
    owner_id uuid REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX saved_views_workspace_idx ON saved_views (workspace_id, kind, name);
CREATE INDEX saved_views_owner_idx ON saved_views (owner_id);
