-- A private iCalendar feed per workspace. Only a hash of the URL's token is stored.
CREATE TABLE calendar_feeds (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);
