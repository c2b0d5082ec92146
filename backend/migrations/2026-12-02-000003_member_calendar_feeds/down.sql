DELETE FROM calendar_feeds;
ALTER TABLE calendar_feeds DROP CONSTRAINT calendar_feeds_member_fkey,
    DROP CONSTRAINT calendar_feeds_pkey,
    DROP COLUMN user_id,
    ADD PRIMARY KEY (workspace_id),
    ADD CONSTRAINT calendar_feeds_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
INSERT INTO calendar_feeds (workspace_id, token_hash, created_at)
    SELECT workspace_id, token_hash, created_at FROM calendar_feed_handovers;
DROP TABLE calendar_feed_handovers;
