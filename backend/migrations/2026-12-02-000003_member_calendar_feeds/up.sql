-- The calendar feed becomes each member's own: their follow-ups, reminders and deals (and the
-- ones nobody owns), with a secret link of their own that ends when they leave the workspace.
-- A link made before accounts existed belonged to nobody: it is kept aside and handed to the
-- workspace's first owner when that account is created, so subscribed calendars keep working.
CREATE TABLE calendar_feed_handovers (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);
INSERT INTO calendar_feed_handovers (workspace_id, token_hash, created_at)
    SELECT workspace_id, token_hash, created_at FROM calendar_feeds;
DELETE FROM calendar_feeds;
ALTER TABLE calendar_feeds DROP CONSTRAINT calendar_feeds_pkey,
    DROP CONSTRAINT calendar_feeds_workspace_id_fkey,
    ADD COLUMN user_id uuid NOT NULL,
    ADD PRIMARY KEY (workspace_id, user_id),
    ADD CONSTRAINT calendar_feeds_member_fkey FOREIGN KEY (workspace_id, user_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE;
