-- The trash is emptied automatically: a contact, company or deal is deleted for good 30 days
-- after it was trashed — counted from the trashing or from this upgrade, whichever is later, so
-- that upgrading never empties years of trash at once. When purging starts is kept here.
CREATE TABLE retention_policies (
    name text PRIMARY KEY,
    since timestamptz NOT NULL
);
INSERT INTO retention_policies (name, since) VALUES ('trash', now());

-- An accepted proposal outlives its deal's purge: it keeps its number, lines and totals and
-- loses the link (the books keep what was agreed).
ALTER TABLE proposals ALTER COLUMN deal_id DROP NOT NULL;

CREATE INDEX deals_deleted_idx ON deals (workspace_id, deleted_at, id) WHERE deleted_at IS NOT NULL;
-- The purge looks across workspaces by deletion date.
CREATE INDEX contacts_purge_idx ON contacts (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX companies_purge_idx ON companies (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX deals_purge_idx ON deals (deleted_at) WHERE deleted_at IS NOT NULL;
