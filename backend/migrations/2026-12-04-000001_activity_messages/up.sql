-- A history entry carries what it says as a code with parameters, so that the web app words it
-- in the reader's language; `summary` stays the English sentence API clients read. Entries
-- written before have no code and are shown by their summary. A bulk change keeps its words the
-- same way, for the entry its undo writes.
ALTER TABLE activity ADD COLUMN message text, ADD COLUMN params jsonb NOT NULL DEFAULT '{}';
ALTER TABLE bulk_batches ADD COLUMN message text, ADD COLUMN params jsonb NOT NULL DEFAULT '{}';

-- An erasure rewrites an entry to "Erased on request" without parameters (they name the person).
CREATE OR REPLACE FUNCTION activity_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('rapport.erasing', true), '') <> ''
        AND split_part(current_setting('rapport.erasing', true), ':', 1) = OLD.workspace_id::text
        AND NEW.summary = 'Erased on request' AND NEW.fields = '{}' AND NEW.contact_id IS NULL
        AND NEW.message IS NOT DISTINCT FROM 'erased_entry' AND NEW.params = '{}'::jsonb
        AND NEW.id = OLD.id AND NEW.workspace_id = OLD.workspace_id AND NEW.entity = OLD.entity
        AND NEW.entity_id = OLD.entity_id AND NEW.action = OLD.action AND NEW.occurred_at = OLD.occurred_at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.actor_name IS NOT DISTINCT FROM OLD.actor_name
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'activity is append-only';
END;
$$;
