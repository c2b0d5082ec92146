-- A statement's new names add their words to the workspace's word list in word order. Two
-- transactions adding the same new words (an import's two batches written side by side, or two
-- people creating contacts) then wait for each other in one order instead of possibly each
-- holding a word the other needs, which PostgreSQL can only end by aborting one of them.
CREATE OR REPLACE FUNCTION rapport_words_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        EXECUTE format('INSERT INTO search_words (workspace_id, word) '
                       'SELECT DISTINCT n.workspace_id, w FROM new_rows n, unnest(rapport_name_words(%s)) w '
                       'ORDER BY 1, 2 ON CONFLICT DO NOTHING', TG_ARGV[0]);
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
        SELECT NEW.workspace_id, w FROM unnest(rapport_name_words(after)) w ORDER BY 2
        ON CONFLICT DO NOTHING;
        PERFORM rapport_forget_words(OLD.workspace_id, rapport_name_words(before));
        RETURN NULL;
    END
    $$;
