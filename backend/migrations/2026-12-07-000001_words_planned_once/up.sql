-- The word list's triggers with their statements written out per table. They took the SQL of a
-- record's name as an argument and ran it through `EXECUTE format(...)`, which PostgreSQL plans
-- again on every call: 0.26 ms of a contact's 0.83 ms insert, the largest part of a single
-- create. Written out, each statement is planned once per connection (0.09 ms). A trigger
-- function is compiled for each trigger, and a branch's statement is planned only when that
-- branch first runs, so each table's trigger only ever plans its own statement.

CREATE OR REPLACE FUNCTION rapport_words_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        -- In word order: two transactions adding the same new words wait for each other in one
        -- order (see 2026-12-06-000002_words_in_order).
        IF TG_TABLE_NAME = 'contacts' THEN
            INSERT INTO search_words (workspace_id, word)
            SELECT DISTINCT n.workspace_id, w
            FROM new_rows n, unnest(rapport_name_words(n.first_name || ' ' || n.last_name)) w
            ORDER BY 1, 2 ON CONFLICT DO NOTHING;
        ELSIF TG_TABLE_NAME = 'companies' THEN
            INSERT INTO search_words (workspace_id, word)
            SELECT DISTINCT n.workspace_id, w FROM new_rows n, unnest(rapport_name_words(n.name)) w
            ORDER BY 1, 2 ON CONFLICT DO NOTHING;
        ELSIF TG_TABLE_NAME = 'deals' THEN
            INSERT INTO search_words (workspace_id, word)
            SELECT DISTINCT n.workspace_id, w FROM new_rows n, unnest(rapport_name_words(n.title)) w
            ORDER BY 1, 2 ON CONFLICT DO NOTHING;
        ELSE
            RAISE EXCEPTION 'rapport_words_inserted: no names of table %', TG_TABLE_NAME;
        END IF;
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
        IF TG_TABLE_NAME = 'contacts' THEN
            before := OLD.first_name || ' ' || OLD.last_name;
            after := NEW.first_name || ' ' || NEW.last_name;
        ELSIF TG_TABLE_NAME = 'companies' THEN
            before := OLD.name;
            after := NEW.name;
        ELSIF TG_TABLE_NAME = 'deals' THEN
            before := OLD.title;
            after := NEW.title;
        ELSE
            RAISE EXCEPTION 'rapport_words_renamed: no names of table %', TG_TABLE_NAME;
        END IF;
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
        IF TG_TABLE_NAME = 'contacts' THEN
            PERFORM rapport_forget_words(o.workspace_id, array_agg(DISTINCT w))
            FROM old_rows o, unnest(rapport_name_words(o.first_name || ' ' || o.last_name)) w
            GROUP BY o.workspace_id;
        ELSIF TG_TABLE_NAME = 'companies' THEN
            PERFORM rapport_forget_words(o.workspace_id, array_agg(DISTINCT w))
            FROM old_rows o, unnest(rapport_name_words(o.name)) w GROUP BY o.workspace_id;
        ELSIF TG_TABLE_NAME = 'deals' THEN
            PERFORM rapport_forget_words(o.workspace_id, array_agg(DISTINCT w))
            FROM old_rows o, unnest(rapport_name_words(o.title)) w GROUP BY o.workspace_id;
        ELSE
            RAISE EXCEPTION 'rapport_words_deleted: no names of table %', TG_TABLE_NAME;
        END IF;
        RETURN NULL;
    END
    $$;

-- The same triggers, without the argument they no longer read.
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
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_inserted();
CREATE TRIGGER contacts_words_renamed AFTER UPDATE OF first_name, last_name ON contacts
    FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name)
    EXECUTE FUNCTION rapport_words_renamed();
CREATE TRIGGER contacts_words_deleted AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_deleted();

CREATE TRIGGER companies_words_inserted AFTER INSERT ON companies
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_inserted();
CREATE TRIGGER companies_words_renamed AFTER UPDATE OF name ON companies
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION rapport_words_renamed();
CREATE TRIGGER companies_words_deleted AFTER DELETE ON companies
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_deleted();

CREATE TRIGGER deals_words_inserted AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_inserted();
CREATE TRIGGER deals_words_renamed AFTER UPDATE OF title ON deals
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION rapport_words_renamed();
CREATE TRIGGER deals_words_deleted AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_words_deleted();
