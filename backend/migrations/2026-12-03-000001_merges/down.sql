DELETE FROM activity WHERE action IN ('merged', 'unmerged');
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost', 'erased'));
ALTER TABLE activity DROP COLUMN merge_id;
DROP TABLE merges;
