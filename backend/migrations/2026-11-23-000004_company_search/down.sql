DROP INDEX companies_deleted_idx;
DROP INDEX companies_updated_idx;
DROP INDEX companies_created_idx;
DROP INDEX companies_name_idx;
DROP INDEX companies_search_trgm;
ALTER TABLE companies DROP COLUMN search_text;
ALTER TABLE companies DROP COLUMN sort_name;
CREATE INDEX companies_name_trgm ON companies USING gin (lower(name) gin_trgm_ops);
