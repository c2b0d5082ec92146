-- What changed, when: an append-only record written in the same transaction as each change.
CREATE TABLE activity (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    entity text NOT NULL CHECK (entity IN ('contact', 'company', 'interaction', 'reminder', 'template', 'settings')),
    entity_id uuid NOT NULL,
    action text NOT NULL CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed',
                                           'reopened', 'snoozed')),
    summary text NOT NULL,
    -- The contact the change concerns (the contact itself, or its interaction or reminder).
    contact_id uuid,
    -- Names of the fields an update changed.
    fields text[] NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL
);
CREATE INDEX activity_feed_idx ON activity (workspace_id, occurred_at, id);
CREATE INDEX activity_entity_idx ON activity (entity_id, occurred_at, id);
CREATE INDEX activity_contact_idx ON activity (contact_id, occurred_at, id) WHERE contact_id IS NOT NULL;

CREATE FUNCTION activity_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'activity is append-only';
END;
$$;
CREATE TRIGGER activity_append_only BEFORE UPDATE ON activity FOR EACH ROW EXECUTE FUNCTION activity_is_append_only();
