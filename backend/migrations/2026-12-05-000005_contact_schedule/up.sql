-- A contact's schedule — its next follow-up and last interaction, with what the follow-up queue
-- filters on (owner, outside the trash) — kept in a narrow table of its own, maintained by
-- triggers from `contacts`, which stays the one place these fields are written and read.
--
-- Why: logging an interaction moves its contact's follow-up. With the follow-up indexes on
-- `contacts`, that was a non-HOT update that wrote a new entry into each of the contact's 20
-- indexes (seven of them GIN) — more than half of the statement that logs an interaction. With
-- them here, the contact's own update changes no indexed column and stays on its page (HOT), and
-- only this row's two small indexes move.
CREATE TABLE contact_schedule (
    workspace_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    next_follow_up_at timestamptz,
    last_interaction_at timestamptz,
    owner_id uuid,
    live boolean NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
) WITH (fillfactor = 90);
-- No foreign key: its check on every inserted row made a 5,000-contact import batch 7 % slower
-- than the indexes it replaces; the delete trigger below removes a contact's schedule with it
-- (deletes cascaded from a workspace fire it too).

INSERT INTO contact_schedule (workspace_id, contact_id, next_follow_up_at, last_interaction_at, owner_id, live)
SELECT workspace_id, id, next_follow_up_at, last_interaction_at, owner_id, deleted_at IS NULL FROM contacts;

-- The same expressions as the list's sort keys ("never contacted" is the distant past, "no
-- follow-up" the distant future), for the contacts outside the trash.
CREATE INDEX contact_schedule_next_idx ON contact_schedule
    (workspace_id, coalesce(next_follow_up_at, '9999-12-31 00:00:00+00'::timestamptz), contact_id) WHERE live;
CREATE INDEX contact_schedule_last_idx ON contact_schedule
    (workspace_id, coalesce(last_interaction_at, '0001-01-01 00:00:00+00'::timestamptz), contact_id) WHERE live;

CREATE FUNCTION rapport_schedule_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_schedule (workspace_id, contact_id, next_follow_up_at, last_interaction_at, owner_id, live)
    SELECT workspace_id, id, next_follow_up_at, last_interaction_at, owner_id, deleted_at IS NULL FROM new_rows;
    RETURN NULL;
END $$;

-- Statement-level, so an import or a workspace-wide reschedule is one join, not one update per
-- row; rows whose schedule did not change are not written.
CREATE FUNCTION rapport_schedule_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_schedule s
    SET next_follow_up_at = n.next_follow_up_at, last_interaction_at = n.last_interaction_at,
        owner_id = n.owner_id, live = n.deleted_at IS NULL
    FROM new_rows n
    WHERE s.workspace_id = n.workspace_id AND s.contact_id = n.id
      AND (s.next_follow_up_at IS DISTINCT FROM n.next_follow_up_at
           OR s.last_interaction_at IS DISTINCT FROM n.last_interaction_at
           OR s.owner_id IS DISTINCT FROM n.owner_id
           OR s.live IS DISTINCT FROM (n.deleted_at IS NULL));
    RETURN NULL;
END $$;

CREATE FUNCTION rapport_schedule_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM contact_schedule s USING old_rows o WHERE s.workspace_id = o.workspace_id AND s.contact_id = o.id;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_schedule_inserted AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_schedule_inserted();
CREATE TRIGGER contacts_schedule_updated AFTER UPDATE ON contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_schedule_updated();
CREATE TRIGGER contacts_schedule_deleted AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_schedule_deleted();

DROP INDEX contacts_due_idx;
DROP INDEX contacts_last_interaction_idx;
DROP INDEX contacts_next_follow_up_idx;

-- Room on each page for an updated row's new version, so updates that change no indexed column
-- stay HOT (applies to pages written from now on).
ALTER TABLE contacts SET (fillfactor = 90);
