CREATE OR REPLACE FUNCTION rapport_words_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        EXECUTE format('INSERT INTO search_words (workspace_id, word) '
                       'SELECT DISTINCT workspace_id, unnest(rapport_name_words(%s)) FROM new_rows '
                       'ON CONFLICT DO NOTHING', TG_ARGV[0]);
        RETURN NULL;
    END
    $$;

CREATE OR REPLACE FUNCTION rapport_words_renamed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    DECLARE
        before text;
        after text;
    BEGIN
        EXECUTE format('SELECT %s FROM (SELECT ($1).*) r', TG_ARGV[0]) INTO before USING OLD;
        EXECUTE format('SELECT %s FROM (SELECT ($1).*) r', TG_ARGV[0]) INTO after USING NEW;
        INSERT INTO search_words (workspace_id, word)
        SELECT NEW.workspace_id, unnest(rapport_name_words(after))
        ON CONFLICT DO NOTHING;
        PERFORM rapport_forget_words(OLD.workspace_id, rapport_name_words(before));
        RETURN NULL;
    END
    $$;
