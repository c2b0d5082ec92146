-- Indexes on workspace_id alone: the unique (workspace_id, id) key serves every lookup by
-- workspace, including the cascade when a workspace is deleted, and every insert paid for a
-- second copy of the key (an import of 100,000 contacts wrote it 100,000 times).
DROP INDEX IF EXISTS contacts_workspace_idx;
DROP INDEX IF EXISTS companies_workspace_idx;
