-- The keys duplicates are matched on, as immutable functions so that the duplicate list and the
-- check made when a record is created compare exactly the same thing, and so that the check is
-- an index lookup: a phone is its last nine digits (numbers written with or without the country
-- code and punctuation meet), a LinkedIn profile its URL without scheme, `www.` and trailing
-- slashes, a website its host, a company name what is left once case, punctuation and legal
-- forms (Ltd, Inc, GmbH…) are set aside.
CREATE FUNCTION rapport_phone_keys(text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(DISTINCT right(d, 9)), '{}') FROM (
        SELECT regexp_replace(p, '\D', '', 'g') AS d FROM unnest($1) AS p) x WHERE length(d) >= 7 $$;

CREATE FUNCTION rapport_linkedin_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT nullif(regexp_replace(lower($1), '^https?://(www\.)?|/+$', '', 'g'), '') $$;

CREATE FUNCTION rapport_domain_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT nullif(regexp_replace(lower($1), '^(https?://)?(www\.)?|/.*$', '', 'g'), '') $$;

CREATE FUNCTION rapport_company_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT nullif(regexp_replace(regexp_replace(lower($1),
        '\m(inc|ltd|llc|llp|plc|gmbh|ag|sarl|sas|sa|sl|srl|bv|nv|corp|corporation|co|limited|company)\M', '', 'g'),
        '[^[:alnum:]]+', '', 'g'), '') $$;

CREATE INDEX contacts_phone_keys ON contacts USING gin (workspace_id, rapport_phone_keys(phones))
    WHERE deleted_at IS NULL;
CREATE INDEX contacts_linkedin_key ON contacts (workspace_id, rapport_linkedin_key(linkedin_url))
    WHERE deleted_at IS NULL AND linkedin_url IS NOT NULL;
CREATE INDEX companies_domain_key ON companies (workspace_id, rapport_domain_key(domain))
    WHERE deleted_at IS NULL AND domain IS NOT NULL;
CREATE INDEX companies_name_key ON companies (workspace_id, rapport_company_key(name))
    WHERE deleted_at IS NULL;
