-- Global search. Every searchable record carries a full-text vector kept by the database
-- (the `simple` configuration, accents folded by an immutable unaccent wrapper, the name weighted
-- A), indexed together with its workspace (btree_gin) so a prefix query reads one index;
-- names get trigram indexes for typos; contacts and companies keep a folded `search_text` whose
-- trigram index finds parts of emails, phones and domains.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE FUNCTION rapport_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- Contacts: `search_text` now folds accents too, so "munoz" finds "Muñoz" in lists and search.
DROP INDEX contacts_search_trgm;
ALTER TABLE contacts DROP COLUMN search_text;
ALTER TABLE contacts ADD COLUMN search_text text GENERATED ALWAYS AS (rapport_unaccent(lower(
    first_name || ' ' || last_name || ' ' || rapport_join_text(emails) || ' '
    || rapport_join_text(phones) || ' ' || coalesce(job_title, '') || ' ' || coalesce(location, '')
    || ' ' || coalesce(company_name, '')
))) STORED;
ALTER TABLE contacts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', rapport_unaccent(first_name || ' ' || last_name)), 'A')
    || setweight(to_tsvector('simple', rapport_unaccent(rapport_join_text(emails) || ' ' || coalesce(company_name, ''))), 'B')
    || setweight(to_tsvector('simple', rapport_unaccent(
        coalesce(job_title, '') || ' ' || coalesce(location, '') || ' ' || rapport_join_text(phones))), 'C')
) STORED;
ALTER TABLE contacts ALTER COLUMN search_text SET NOT NULL, ALTER COLUMN search_vector SET NOT NULL;
CREATE INDEX contacts_search_trgm ON contacts USING gin (search_text gin_trgm_ops);
CREATE INDEX contacts_search_fts ON contacts USING gin (workspace_id, search_vector);
CREATE INDEX contacts_name_trgm ON contacts USING gin (sort_name gin_trgm_ops);

-- Companies.
DROP INDEX companies_search_trgm;
ALTER TABLE companies DROP COLUMN search_text;
ALTER TABLE companies ADD COLUMN search_text text GENERATED ALWAYS AS (rapport_unaccent(lower(
    name || ' ' || coalesce(domain, '') || ' ' || coalesce(industry, '') || ' ' || coalesce(location, '')
))) STORED;
ALTER TABLE companies ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', rapport_unaccent(name)), 'A')
    || setweight(to_tsvector('simple', rapport_unaccent(coalesce(domain, ''))), 'B')
    || setweight(to_tsvector('simple', rapport_unaccent(coalesce(industry, '') || ' ' || coalesce(location, ''))), 'C')
) STORED;
ALTER TABLE companies ALTER COLUMN search_text SET NOT NULL, ALTER COLUMN search_vector SET NOT NULL;
CREATE INDEX companies_search_trgm ON companies USING gin (search_text gin_trgm_ops);
CREATE INDEX companies_search_fts ON companies USING gin (workspace_id, search_vector);
CREATE INDEX companies_name_trgm ON companies USING gin (sort_name gin_trgm_ops);

-- Deals: the title and the notes.
ALTER TABLE deals ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', rapport_unaccent(title)), 'A')
    || setweight(to_tsvector('simple', rapport_unaccent(coalesce(notes, ''))), 'C')
) STORED;
ALTER TABLE deals ALTER COLUMN search_vector SET NOT NULL;
CREATE INDEX deals_search_fts ON deals USING gin (workspace_id, search_vector);
CREATE INDEX deals_title_trgm ON deals USING gin (sort_title gin_trgm_ops);

-- Interactions: the subject and the body.
ALTER TABLE interactions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', rapport_unaccent(coalesce(subject, ''))), 'A')
    || setweight(to_tsvector('simple', rapport_unaccent(coalesce(body, ''))), 'C')
) STORED;
ALTER TABLE interactions ALTER COLUMN search_vector SET NOT NULL;
CREATE INDEX interactions_search_fts ON interactions USING gin (workspace_id, search_vector);

-- Templates: the name, the subject and the body.
ALTER TABLE email_templates ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', rapport_unaccent(name)), 'A')
    || setweight(to_tsvector('simple', rapport_unaccent(subject)), 'B')
    || setweight(to_tsvector('simple', rapport_unaccent(body)), 'C')
) STORED;
ALTER TABLE email_templates ALTER COLUMN search_vector SET NOT NULL;
CREATE INDEX email_templates_search_fts ON email_templates USING gin (workspace_id, search_vector);

-- Products: the name, SKU and category, and the description.
ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', rapport_unaccent(name)), 'A')
    || setweight(to_tsvector('simple', rapport_unaccent(coalesce(sku, '') || ' ' || coalesce(category, ''))), 'B')
    || setweight(to_tsvector('simple', rapport_unaccent(coalesce(description, ''))), 'C')
) STORED;
ALTER TABLE products ALTER COLUMN search_vector SET NOT NULL;
CREATE INDEX products_search_fts ON products USING gin (workspace_id, search_vector);
