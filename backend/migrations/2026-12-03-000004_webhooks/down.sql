DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE outbox_cursors;
DELETE FROM activity WHERE entity IN ('import', 'webhook') OR action = 'disabled';
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost', 'erased', 'merged', 'unmerged'));
ALTER TABLE activity DROP CONSTRAINT activity_entity_check;
ALTER TABLE activity ADD CONSTRAINT activity_entity_check
    CHECK (entity IN ('contact', 'company', 'interaction', 'reminder', 'template', 'settings',
                      'deal', 'pipeline', 'payment', 'product', 'proposal', 'bulk'));
DROP INDEX activity_outbox_idx;
ALTER TABLE activity DROP COLUMN txid;
