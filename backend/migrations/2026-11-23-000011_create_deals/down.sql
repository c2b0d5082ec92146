DELETE FROM activity WHERE entity IN ('deal', 'pipeline', 'payment', 'product', 'proposal');
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed'));
ALTER TABLE activity DROP CONSTRAINT activity_entity_check;
ALTER TABLE activity ADD CONSTRAINT activity_entity_check
    CHECK (entity IN ('contact', 'company', 'interaction', 'reminder', 'template', 'settings'));
DROP TABLE proposal_lines;
DROP TABLE proposals;
DROP TABLE products;
DROP TABLE payments;
ALTER TABLE reminders DROP COLUMN deal_id;
ALTER TABLE interactions DROP COLUMN deal_id;
DROP TABLE deal_stage_history;
DROP TABLE deals;
DROP TABLE pipeline_stages;
DROP TABLE pipelines;
