CREATE INDEX IF NOT EXISTS contacts_workspace_idx ON contacts (workspace_id);
CREATE INDEX IF NOT EXISTS companies_workspace_idx ON companies (workspace_id);
