-- A reminder whose time has come is announced once: a history entry (action 'due'), which the
-- outbox turns into the `reminder.due` webhook event and a live update.
ALTER TABLE reminders ADD COLUMN due_announced_at timestamptz;
-- Reminders already past due when this runs are not announced late.
UPDATE reminders SET due_announced_at = now() WHERE due_at <= now();
CREATE INDEX reminders_unannounced_idx ON reminders (due_at)
    WHERE completed_at IS NULL AND due_announced_at IS NULL;

-- Moving a reminder to another time (an edit, a snooze, a bulk change) announces it again then.
CREATE FUNCTION reminders_reannounce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.due_announced_at := NULL;
    RETURN NEW;
END $$;
CREATE TRIGGER reminders_reannounce BEFORE UPDATE OF due_at ON reminders
    FOR EACH ROW WHEN (NEW.due_at IS DISTINCT FROM OLD.due_at) EXECUTE FUNCTION reminders_reannounce();

ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost', 'erased', 'merged', 'unmerged', 'disabled', 'due'));
