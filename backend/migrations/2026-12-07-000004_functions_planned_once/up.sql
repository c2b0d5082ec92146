-- The small functions behind the contacts' generated columns and key indexes, in PL/pgSQL.
-- Written in SQL, PostgreSQL could not inline them (each is declared IMMUTABLE, as a generated
-- column or an index needs, around a function that is only STABLE or a query with a FROM), so
-- every statement that wrote a contact parsed and planned each call's body again: five
-- `rapport_unaccent` and four `rapport_join_text` calls per contact written, plus the phones'
-- keys and the name's words on an insert, about 0.3 ms of PostgreSQL's 1 ms per created contact
-- and 0.13 ms per logged interaction (which rewrites the contact's row). PL/pgSQL compiles a
-- function once per connection and keeps its expressions' plans. Each function returns what it
-- returned before, value for value: the indexes built with the old ones stay true.

CREATE OR REPLACE FUNCTION rapport_unaccent(text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
    BEGIN
        RETURN public.unaccent('public.unaccent'::regdictionary, $1);
    END
    $$;

-- array_to_string is only STABLE in general; for text[] it is immutable, which a generated
-- column needs.
CREATE OR REPLACE FUNCTION rapport_join_text(text[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    BEGIN
        RETURN array_to_string($1, ' ');
    END
    $$;

-- The words of a name, as the list keeps them: the folded name's words of three letters or
-- more, in the order `tsvector_to_array` gives them.
CREATE OR REPLACE FUNCTION rapport_name_words(text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
    DECLARE
        w text;
        words text[] := '{}';
    BEGIN
        FOREACH w IN ARRAY tsvector_to_array(to_tsvector('simple', public.rapport_unaccent($1))) LOOP
            IF w ~ '^[[:alpha:]]{3,}$' THEN
                words := words || w;
            END IF;
        END LOOP;
        RETURN words;
    END
    $$;

-- A phone number's key: its last nine digits, for numbers of seven digits or more; each key once,
-- in order.
CREATE OR REPLACE FUNCTION rapport_phone_keys(text[]) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    DECLARE
        p text;
        k text;
        keys text[] := '{}';
    BEGIN
        IF $1 IS NULL THEN
            RETURN keys;
        END IF;
        FOREACH p IN ARRAY $1 LOOP
            k := regexp_replace(p, '\D', '', 'g');
            IF length(k) >= 7 THEN
                k := right(k, 9);
                IF NOT k = ANY (keys) THEN
                    keys := keys || k;
                END IF;
            END IF;
        END LOOP;
        IF cardinality(keys) > 1 THEN
            keys := ARRAY(SELECT x FROM unnest(keys) AS x ORDER BY 1);
        END IF;
        RETURN keys;
    END
    $$;
