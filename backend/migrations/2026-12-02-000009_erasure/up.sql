-- Erasing a person on request (GDPR/CCPA): their record goes, with what is only about them;
-- money received and deals stay for the books, without the person.

-- A payment outlives the payer's erasure (and any purge): it keeps its amount and date and
-- loses the link.
ALTER TABLE payments ALTER COLUMN contact_id DROP NOT NULL,
    DROP CONSTRAINT payments_contact_id_fkey,
    ADD CONSTRAINT payments_contact_id_fkey FOREIGN KEY (workspace_id, contact_id)
        REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id);

-- The contact an AI answer concerned, so that erasing the person deletes the answers about them.
ALTER TABLE llm_cache ADD COLUMN contact_id uuid;
CREATE INDEX llm_cache_contact ON llm_cache (workspace_id, contact_id) WHERE contact_id IS NOT NULL;

-- The history stays append-only, with one narrow exception: inside an erasure (the transaction
-- sets rapport.erasing), an entry may be rewritten to the fixed text "Erased on request" with
-- no fields and no contact — nothing else about it may change.
CREATE OR REPLACE FUNCTION activity_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('rapport.erasing', true), '') <> ''
        AND NEW.summary = 'Erased on request' AND NEW.fields = '{}' AND NEW.contact_id IS NULL
        AND NEW.id = OLD.id AND NEW.workspace_id = OLD.workspace_id AND NEW.entity = OLD.entity
        AND NEW.entity_id = OLD.entity_id AND NEW.action = OLD.action AND NEW.occurred_at = OLD.occurred_at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.actor_name IS NOT DISTINCT FROM OLD.actor_name
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'activity is append-only';
END;
$$;

-- The erasure itself is recorded (without personal data).
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost', 'erased'));
