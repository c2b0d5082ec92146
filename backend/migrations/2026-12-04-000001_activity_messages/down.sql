CREATE OR REPLACE FUNCTION activity_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('rapport.erasing', true), '') <> ''
        AND split_part(current_setting('rapport.erasing', true), ':', 1) = OLD.workspace_id::text
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
ALTER TABLE bulk_batches DROP COLUMN message, DROP COLUMN params;
ALTER TABLE activity DROP COLUMN message, DROP COLUMN params;
