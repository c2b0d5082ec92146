CREATE OR REPLACE FUNCTION rapport_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE OR REPLACE FUNCTION rapport_join_text(text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_string($1, ' ');

CREATE OR REPLACE FUNCTION rapport_name_words(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
        SELECT coalesce(array_agg(w), '{}')
        FROM unnest(tsvector_to_array(to_tsvector('simple', rapport_unaccent($1)))) w
        WHERE w ~ '^[[:alpha:]]{3,}$'
    $$;

CREATE OR REPLACE FUNCTION rapport_phone_keys(text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(array_agg(DISTINCT right(d, 9)), '{}') FROM (
        SELECT regexp_replace(p, '\D', '', 'g') AS d FROM unnest($1) AS p) x WHERE length(d) >= 7 $$;
