-- Installations that moved to member calendar links before links from before accounts were
-- kept aside (see 2026-12-02-000003) get the table too, empty.
CREATE TABLE IF NOT EXISTS calendar_feed_handovers (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);
