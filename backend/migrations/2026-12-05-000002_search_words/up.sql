-- The words of a workspace's names, for typos. When a query's words find little, each is
-- compared (trigram similarity) with this list of distinct words instead of with every record's
-- name, and the closest words are searched for through the full-text indexes: a list of words
-- grows far slower than the records do (two records share "Kowalski"), so a typo costs about the
-- same at 10,000 and at 100,000 contacts.
--
-- Words come from contact names, company names and deal titles: letters only (a hyphenated name
-- also yields its parts), at least three of them, folded like the search vectors. The database
-- keeps the list: a statement inserting records adds their words, a renamed record adds its new
-- words, and a word is forgotten once no record of the workspace holds it any more (a record
-- deleted for good or renamed), so an erased person's name does not stay behind. Records in the
-- trash keep their words (they can come back).
CREATE TABLE search_words (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    word text NOT NULL,
    PRIMARY KEY (workspace_id, word)
);
CREATE INDEX search_words_trgm ON search_words USING gin (workspace_id, word gin_trgm_ops);

-- The words of a name, as the list keeps them.
CREATE FUNCTION rapport_name_words(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
        SELECT coalesce(array_agg(w), '{}')
        FROM unnest(tsvector_to_array(to_tsvector('simple', rapport_unaccent($1)))) w
        WHERE w ~ '^[[:alpha:]]{3,}$'
    $$;

-- Forgets the words among `words` that no record of the workspace holds any more.
CREATE FUNCTION rapport_forget_words(ws uuid, words text[]) RETURNS void
    LANGUAGE sql
    AS $$
        DELETE FROM search_words s
        WHERE s.workspace_id = ws AND s.word = ANY(words)
          AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.workspace_id = ws
                            AND x.search_vector @@ plainto_tsquery('simple', s.word))
          AND NOT EXISTS (SELECT 1 FROM companies x WHERE x.workspace_id = ws
                            AND x.search_vector @@ plainto_tsquery('simple', s.word))
          AND NOT EXISTS (SELECT 1 FROM deals x WHERE x.workspace_id = ws
                            AND x.search_vector @@ plainto_tsquery('simple', s.word))
    $$;

-- The triggers below take the SQL of a record's name over its columns as their argument.

-- Inserted records (one statement for a whole import's batch).
CREATE FUNCTION rapport_words_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        EXECUTE format('INSERT INTO search_words (workspace_id, word) '
                       'SELECT DISTINCT workspace_id, unnest(rapport_name_words(%s)) FROM new_rows '
                       'ON CONFLICT DO NOTHING', TG_ARGV[0]);
        RETURN NULL;
    END
    $$;

-- A renamed record: its new words are added, its old ones forgotten if nothing else holds them.
CREATE FUNCTION rapport_words_renamed() RETURNS trigger
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

-- Records deleted for good (trash purge, erasure, merges' clean-up).
CREATE FUNCTION rapport_words_deleted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        EXECUTE format('SELECT rapport_forget_words(workspace_id, array_agg(DISTINCT w)) '
                       'FROM old_rows, unnest(rapport_name_words(%s)) w GROUP BY workspace_id', TG_ARGV[0]);
        RETURN NULL;
    END
    $$;

CREATE TRIGGER contacts_words_inserted AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rapport_words_inserted($$first_name || ' ' || last_name$$);
CREATE TRIGGER contacts_words_renamed AFTER UPDATE OF first_name, last_name ON contacts
    FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name)
    EXECUTE FUNCTION rapport_words_renamed($$first_name || ' ' || last_name$$);
CREATE TRIGGER contacts_words_deleted AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rapport_words_deleted($$first_name || ' ' || last_name$$);

CREATE TRIGGER companies_words_inserted AFTER INSERT ON companies
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_inserted('name');
CREATE TRIGGER companies_words_renamed AFTER UPDATE OF name ON companies
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION rapport_words_renamed('name');
CREATE TRIGGER companies_words_deleted AFTER DELETE ON companies
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_deleted('name');

CREATE TRIGGER deals_words_inserted AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_inserted('title');
CREATE TRIGGER deals_words_renamed AFTER UPDATE OF title ON deals
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION rapport_words_renamed('title');
CREATE TRIGGER deals_words_deleted AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_deleted('title');

-- The words of the records there already.
INSERT INTO search_words (workspace_id, word)
SELECT DISTINCT workspace_id, w FROM (
    SELECT workspace_id, unnest(rapport_name_words(first_name || ' ' || last_name)) AS w FROM contacts
    UNION ALL SELECT workspace_id, unnest(rapport_name_words(name)) FROM companies
    UNION ALL SELECT workspace_id, unnest(rapport_name_words(title)) FROM deals
) s;
