DROP INDEX deals_purge_idx;
DROP INDEX companies_purge_idx;
DROP INDEX contacts_purge_idx;
DROP INDEX deals_deleted_idx;
DELETE FROM proposals WHERE deal_id IS NULL;
ALTER TABLE proposals ALTER COLUMN deal_id SET NOT NULL;
DROP TABLE retention_policies;
