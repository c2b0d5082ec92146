DELETE FROM activity WHERE entity = 'bulk';
ALTER TABLE activity DROP CONSTRAINT activity_entity_check;
ALTER TABLE activity ADD CONSTRAINT activity_entity_check
    CHECK (entity IN ('contact', 'company', 'interaction', 'reminder', 'template', 'settings',
                      'deal', 'pipeline', 'payment', 'product', 'proposal'));
DROP TABLE bulk_items;
DROP TABLE bulk_batches;
