DROP INDEX products_search_fts;
ALTER TABLE products DROP COLUMN search_vector;
DROP INDEX email_templates_search_fts;
ALTER TABLE email_templates DROP COLUMN search_vector;
DROP INDEX interactions_search_fts;
ALTER TABLE interactions DROP COLUMN search_vector;
DROP INDEX deals_title_trgm;
DROP INDEX deals_search_fts;
ALTER TABLE deals DROP COLUMN search_vector;

DROP INDEX companies_name_trgm;
DROP INDEX companies_search_fts;
DROP INDEX companies_search_trgm;
ALTER TABLE companies DROP COLUMN search_vector;
ALTER TABLE companies DROP COLUMN search_text;
ALTER TABLE companies ADD COLUMN search_text text GENERATED ALWAYS AS (lower(
    name || ' ' || coalesce(domain, '') || ' ' || coalesce(industry, '') || ' ' || coalesce(location, '')
)) STORED;
ALTER TABLE companies ALTER COLUMN search_text SET NOT NULL;
CREATE INDEX companies_search_trgm ON companies USING gin (search_text gin_trgm_ops);

DROP INDEX contacts_name_trgm;
DROP INDEX contacts_search_fts;
DROP INDEX contacts_search_trgm;
ALTER TABLE contacts DROP COLUMN search_vector;
ALTER TABLE contacts DROP COLUMN search_text;
ALTER TABLE contacts ADD COLUMN search_text text GENERATED ALWAYS AS (lower(
    first_name || ' ' || last_name || ' ' || rapport_join_text(emails) || ' '
    || rapport_join_text(phones) || ' ' || coalesce(job_title, '') || ' ' || coalesce(location, '')
    || ' ' || coalesce(company_name, '')
)) STORED;
ALTER TABLE contacts ALTER COLUMN search_text SET NOT NULL;
CREATE INDEX contacts_search_trgm ON contacts USING gin (search_text gin_trgm_ops);

DROP FUNCTION rapport_unaccent(text);
