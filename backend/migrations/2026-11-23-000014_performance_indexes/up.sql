-- Follow-up counts (overdue / today / this week) as an index-only range scan instead of a pass
-- over every contact of the workspace.
CREATE INDEX contacts_due_idx ON contacts (workspace_id, next_follow_up_at) WHERE deleted_at IS NULL;
-- Contact search also matches the company's name: a trigram index keeps that from reading
-- every company on each search.
CREATE INDEX companies_name_lower_trgm ON companies USING gin (lower(name) gin_trgm_ops);
