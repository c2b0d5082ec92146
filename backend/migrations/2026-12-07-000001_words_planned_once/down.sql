-- Back to the triggers that take the SQL of a record's name as their argument.
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

CREATE OR REPLACE FUNCTION rapport_words_deleted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        EXECUTE format('SELECT rapport_forget_words(workspace_id, array_agg(DISTINCT w)) '
                       'FROM old_rows, unnest(rapport_name_words(%s)) w GROUP BY workspace_id', TG_ARGV[0]);
        RETURN NULL;
    END
    $$;

DROP TRIGGER contacts_words_inserted ON contacts;
DROP TRIGGER contacts_words_renamed ON contacts;
DROP TRIGGER contacts_words_deleted ON contacts;
DROP TRIGGER companies_words_inserted ON companies;
DROP TRIGGER companies_words_renamed ON companies;
DROP TRIGGER companies_words_deleted ON companies;
DROP TRIGGER deals_words_inserted ON deals;
DROP TRIGGER deals_words_renamed ON deals;
DROP TRIGGER deals_words_deleted ON deals;

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
