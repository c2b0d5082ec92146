DELETE FROM activity WHERE action = 'due';
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost', 'erased', 'merged', 'unmerged', 'disabled'));
DROP TRIGGER reminders_reannounce ON reminders;
DROP FUNCTION reminders_reannounce();
DROP INDEX reminders_unannounced_idx;
ALTER TABLE reminders DROP COLUMN due_announced_at;
