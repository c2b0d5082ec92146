DELETE FROM activity WHERE action = 'erased';
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost'));
CREATE OR REPLACE FUNCTION activity_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'activity is append-only';
END;
$$;
DROP INDEX llm_cache_contact;
ALTER TABLE llm_cache DROP COLUMN contact_id;
DELETE FROM payments WHERE contact_id IS NULL;
ALTER TABLE payments DROP CONSTRAINT payments_contact_id_fkey,
    ALTER COLUMN contact_id SET NOT NULL,
    ADD CONSTRAINT payments_contact_id_fkey FOREIGN KEY (workspace_id, contact_id)
        REFERENCES contacts (workspace_id, id) ON DELETE CASCADE;
