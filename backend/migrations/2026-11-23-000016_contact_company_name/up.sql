-- Each contact carries its company's name, kept by the database itself: set whenever a contact is
-- written with a company, and rewritten on the company's contacts when the company is renamed
-- (or cleared when it is deleted, through the foreign key's SET NULL). Lists and pages read it
-- with the contact, and contact search matches it through the same trigram index as the rest of
-- the contact — one index scan instead of two OR-ed ones.
ALTER TABLE contacts ADD COLUMN company_name text;
UPDATE contacts c SET company_name = co.name FROM companies co WHERE co.id = c.company_id;

CREATE FUNCTION rapport_contact_company_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.company_id IS NULL THEN
        NEW.company_name := NULL;
    ELSE
        SELECT name INTO NEW.company_name FROM companies WHERE id = NEW.company_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER contacts_company_name BEFORE INSERT OR UPDATE OF company_id ON contacts
    FOR EACH ROW EXECUTE FUNCTION rapport_contact_company_name();

CREATE FUNCTION rapport_company_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts SET company_name = NEW.name WHERE company_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER companies_renamed AFTER UPDATE OF name ON companies
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION rapport_company_renamed();

-- What `q` matches: names, emails, phones, job title, location and now the company's name.
DROP INDEX contacts_search_trgm;
ALTER TABLE contacts DROP COLUMN search_text;
ALTER TABLE contacts ADD COLUMN search_text text GENERATED ALWAYS AS (lower(
    first_name || ' ' || last_name || ' ' || rapport_join_text(emails) || ' '
    || rapport_join_text(phones) || ' ' || coalesce(job_title, '') || ' ' || coalesce(location, '')
    || ' ' || coalesce(company_name, '')
)) STORED;
CREATE INDEX contacts_search_trgm ON contacts USING gin (search_text gin_trgm_ops);

-- Contact search no longer matches company names on their own: their trigram index goes.
DROP INDEX companies_name_lower_trgm;
