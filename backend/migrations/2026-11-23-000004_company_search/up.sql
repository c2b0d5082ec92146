-- Companies become a first-class list: searchable by name, domain, industry and location, and
-- paged in name or date order.
ALTER TABLE companies ADD COLUMN sort_name text GENERATED ALWAYS AS (lower(name)) STORED;
ALTER TABLE companies ADD COLUMN search_text text GENERATED ALWAYS AS (lower(
    name || ' ' || coalesce(domain, '') || ' ' || coalesce(industry, '') || ' ' || coalesce(location, '')
)) STORED;
DROP INDEX companies_name_trgm;
CREATE INDEX companies_search_trgm ON companies USING gin (search_text gin_trgm_ops);
CREATE INDEX companies_name_idx ON companies (workspace_id, sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_created_idx ON companies (workspace_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_updated_idx ON companies (workspace_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_deleted_idx ON companies (workspace_id, deleted_at, id) WHERE deleted_at IS NOT NULL;
