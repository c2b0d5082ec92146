DROP TRIGGER workspaces_follow_up_days_dropped ON workspaces;
DROP TRIGGER workspaces_follow_up_days_rezoned ON workspaces;
DROP FUNCTION rapport_follow_up_days_dropped();
DROP FUNCTION rapport_follow_up_days_rezoned();

CREATE OR REPLACE FUNCTION rapport_schedule_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_schedule (workspace_id, contact_id, next_follow_up_at, last_interaction_at, owner_id, live)
    SELECT workspace_id, id, next_follow_up_at, last_interaction_at, owner_id, deleted_at IS NULL FROM new_rows;
    RETURN NULL;
END $$;

-- Statement-level, so an import or a workspace-wide reschedule is one join, not one update per
-- row; rows whose schedule did not change are not written.
CREATE OR REPLACE FUNCTION rapport_schedule_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION rapport_schedule_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM contact_schedule s USING old_rows o WHERE s.workspace_id = o.workspace_id AND s.contact_id = o.id;
    RETURN NULL;
END $$;

DROP FUNCTION rapport_totals_lock(text, uuid, boolean);
DROP TABLE follow_up_day_changes;
DROP TABLE follow_up_days;
