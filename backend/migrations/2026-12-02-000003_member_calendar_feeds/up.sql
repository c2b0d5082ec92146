-- The calendar feed becomes each member's own: their follow-ups, reminders and deals (and the
-- ones nobody owns), with a secret link of their own that ends when they leave the workspace.
-- Links made before accounts existed belonged to nobody and stop working; a member makes a new
-- one in Settings.
DELETE FROM calendar_feeds;
ALTER TABLE calendar_feeds DROP CONSTRAINT calendar_feeds_pkey,
    DROP CONSTRAINT calendar_feeds_workspace_id_fkey,
    ADD COLUMN user_id uuid NOT NULL,
    ADD PRIMARY KEY (workspace_id, user_id),
    ADD CONSTRAINT calendar_feeds_member_fkey FOREIGN KEY (workspace_id, user_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE;
