DROP INDEX contacts_search_trgm;
ALTER TABLE contacts DROP COLUMN search_text;
DROP TRIGGER companies_renamed ON companies;
DROP FUNCTION rapport_company_renamed();
DROP TRIGGER contacts_company_name ON contacts;
DROP FUNCTION rapport_contact_company_name();
ALTER TABLE contacts DROP COLUMN company_name;
ALTER TABLE contacts ADD COLUMN search_text text GENERATED ALWAYS AS (lower(
    first_name || ' ' || last_name || ' ' || rapport_join_text(emails) || ' '
    || rapport_join_text(phones) || ' ' || coalesce(job_title, '') || ' ' || coalesce(location, '')
)) STORED;
CREATE INDEX contacts_search_trgm ON contacts USING gin (search_text gin_trgm_ops);
CREATE INDEX companies_name_lower_trgm ON companies USING gin (lower(name) gin_trgm_ops);
