-- How many contacts fall due on each day, per owner, in the workspace's time zone: the follow-up
-- queue's counts (and the dashboard's) sum these rows instead of counting every due contact, so
-- they cost the same with a hundred contacts or a million.
--
-- A write never updates a shared counter row (every write that moves a follow-up would then wait
-- for the others to commit): the schedule triggers append what a statement changed to
-- `follow_up_day_changes`, and a fold moves those rows into `follow_up_days` every few seconds
-- (`contacts::store::fold_follow_up_days`). Readers add both.
CREATE TABLE follow_up_days (
    workspace_id uuid NOT NULL,
    owner_id uuid,
    day date NOT NULL,
    contacts bigint NOT NULL,
    CONSTRAINT follow_up_days_key UNIQUE NULLS NOT DISTINCT (workspace_id, owner_id, day)
);

CREATE TABLE follow_up_day_changes (
    workspace_id uuid NOT NULL,
    owner_id uuid,
    day date NOT NULL,
    contacts bigint NOT NULL
);
CREATE INDEX follow_up_day_changes_workspace_idx ON follow_up_day_changes (workspace_id);

INSERT INTO follow_up_days (workspace_id, owner_id, day, contacts)
SELECT s.workspace_id, s.owner_id,
       (s.next_follow_up_at AT TIME ZONE coalesce(w.settings ->> 'timezone', 'UTC'))::date, count(*)
FROM contact_schedule s JOIN workspaces w ON w.id = s.workspace_id
WHERE s.live AND s.next_follow_up_at IS NOT NULL
GROUP BY 1, 2, 3;

-- Kept totals that a change elsewhere rebuilds (a workspace's time zone, a stage's probability)
-- take this lock alone while they rebuild; every write that appends to them holds it shared, so
-- that none still in flight adds a change reckoned the old way after the rebuild. `totals` names
-- the kept totals; `ws` the workspace.
CREATE FUNCTION rapport_totals_lock(totals text, ws uuid, exclusive boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF exclusive THEN
        PERFORM pg_advisory_xact_lock(hashtext(totals), hashtext(ws::text));
    ELSE
        PERFORM pg_advisory_xact_lock_shared(hashtext(totals), hashtext(ws::text));
    END IF;
END $$;

CREATE OR REPLACE FUNCTION rapport_schedule_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ws uuid;
BEGIN
    INSERT INTO contact_schedule (workspace_id, contact_id, next_follow_up_at, last_interaction_at, owner_id, live)
    SELECT workspace_id, id, next_follow_up_at, last_interaction_at, owner_id, deleted_at IS NULL FROM new_rows;
    FOR ws IN SELECT DISTINCT workspace_id FROM new_rows
              WHERE deleted_at IS NULL AND next_follow_up_at IS NOT NULL ORDER BY 1 LOOP
        PERFORM rapport_totals_lock('follow_up_days', ws, false);
    END LOOP;
    INSERT INTO follow_up_day_changes (workspace_id, owner_id, day, contacts)
    SELECT n.workspace_id, n.owner_id,
           (n.next_follow_up_at AT TIME ZONE coalesce(w.settings ->> 'timezone', 'UTC'))::date, count(*)
    FROM new_rows n JOIN workspaces w ON w.id = n.workspace_id
    WHERE n.deleted_at IS NULL AND n.next_follow_up_at IS NOT NULL
    GROUP BY 1, 2, 3;
    RETURN NULL;
END $$;

-- Each changed contact leaves its old day (if it was due and outside the trash) and joins its new
-- one; a statement's moves are summed per day, and days that even out are not written.
CREATE OR REPLACE FUNCTION rapport_schedule_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ws uuid;
BEGIN
    FOR ws IN SELECT DISTINCT workspace_id FROM new_rows ORDER BY 1 LOOP
        PERFORM rapport_totals_lock('follow_up_days', ws, false);
    END LOOP;
    WITH changed AS (
        SELECT s.workspace_id, s.contact_id,
               s.next_follow_up_at AS was_next, s.owner_id AS was_owner, s.live AS was_live,
               n.next_follow_up_at, n.last_interaction_at, n.owner_id, n.deleted_at IS NULL AS live
        FROM contact_schedule s JOIN new_rows n ON s.workspace_id = n.workspace_id AND s.contact_id = n.id
        WHERE s.next_follow_up_at IS DISTINCT FROM n.next_follow_up_at
           OR s.last_interaction_at IS DISTINCT FROM n.last_interaction_at
           OR s.owner_id IS DISTINCT FROM n.owner_id
           OR s.live IS DISTINCT FROM (n.deleted_at IS NULL)
    ), written AS (
        UPDATE contact_schedule s
        SET next_follow_up_at = c.next_follow_up_at, last_interaction_at = c.last_interaction_at,
            owner_id = c.owner_id, live = c.live
        FROM changed c
        WHERE s.workspace_id = c.workspace_id AND s.contact_id = c.contact_id
    ), moves AS (
        SELECT workspace_id, was_owner AS owner_id, was_next AS due_at, -1 AS contacts
        FROM changed WHERE was_live AND was_next IS NOT NULL
        UNION ALL
        SELECT workspace_id, owner_id, next_follow_up_at, 1
        FROM changed WHERE live AND next_follow_up_at IS NOT NULL
    )
    INSERT INTO follow_up_day_changes (workspace_id, owner_id, day, contacts)
    SELECT m.workspace_id, m.owner_id,
           (m.due_at AT TIME ZONE coalesce(w.settings ->> 'timezone', 'UTC'))::date, sum(m.contacts)
    FROM moves m JOIN workspaces w ON w.id = m.workspace_id
    GROUP BY 1, 2, 3
    HAVING sum(m.contacts) <> 0;
    RETURN NULL;
END $$;

-- A deleted workspace's contacts find no workspace here: their days go with the workspace (below).
CREATE OR REPLACE FUNCTION rapport_schedule_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ws uuid;
BEGIN
    DELETE FROM contact_schedule s USING old_rows o WHERE s.workspace_id = o.workspace_id AND s.contact_id = o.id;
    FOR ws IN SELECT DISTINCT workspace_id FROM old_rows
              WHERE deleted_at IS NULL AND next_follow_up_at IS NOT NULL ORDER BY 1 LOOP
        PERFORM rapport_totals_lock('follow_up_days', ws, false);
    END LOOP;
    INSERT INTO follow_up_day_changes (workspace_id, owner_id, day, contacts)
    SELECT o.workspace_id, o.owner_id,
           (o.next_follow_up_at AT TIME ZONE coalesce(w.settings ->> 'timezone', 'UTC'))::date, -count(*)
    FROM old_rows o JOIN workspaces w ON w.id = o.workspace_id
    WHERE o.deleted_at IS NULL AND o.next_follow_up_at IS NOT NULL
    GROUP BY 1, 2, 3;
    RETURN NULL;
END $$;

-- A change of a workspace's time zone moves every due contact to its new local day.
CREATE FUNCTION rapport_follow_up_days_rezoned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rapport_totals_lock('follow_up_days', NEW.id, true);
    DELETE FROM follow_up_day_changes WHERE workspace_id = NEW.id;
    DELETE FROM follow_up_days WHERE workspace_id = NEW.id;
    INSERT INTO follow_up_days (workspace_id, owner_id, day, contacts)
    SELECT NEW.id, owner_id,
           (next_follow_up_at AT TIME ZONE coalesce(NEW.settings ->> 'timezone', 'UTC'))::date, count(*)
    FROM contact_schedule
    WHERE workspace_id = NEW.id AND live AND next_follow_up_at IS NOT NULL
    GROUP BY 2, 3;
    RETURN NULL;
END $$;

CREATE TRIGGER workspaces_follow_up_days_rezoned AFTER UPDATE OF settings ON workspaces FOR EACH ROW
    WHEN (coalesce(OLD.settings ->> 'timezone', 'UTC') IS DISTINCT FROM coalesce(NEW.settings ->> 'timezone', 'UTC'))
    EXECUTE FUNCTION rapport_follow_up_days_rezoned();

CREATE FUNCTION rapport_follow_up_days_dropped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM follow_up_day_changes WHERE workspace_id = OLD.id;
    DELETE FROM follow_up_days WHERE workspace_id = OLD.id;
    RETURN NULL;
END $$;

CREATE TRIGGER workspaces_follow_up_days_dropped AFTER DELETE ON workspaces FOR EACH ROW
    EXECUTE FUNCTION rapport_follow_up_days_dropped();
