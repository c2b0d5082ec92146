ALTER TABLE contacts RESET (fillfactor);
CREATE INDEX contacts_due_idx ON contacts (workspace_id, next_follow_up_at) WHERE deleted_at IS NULL;
CREATE INDEX contacts_last_interaction_idx ON contacts
    (workspace_id, coalesce(last_interaction_at, '0001-01-01 00:00:00+00'::timestamptz), id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_next_follow_up_idx ON contacts
    (workspace_id, coalesce(next_follow_up_at, '9999-12-31 00:00:00+00'::timestamptz), id) WHERE deleted_at IS NULL;
DROP TRIGGER contacts_schedule_deleted ON contacts;
DROP TRIGGER contacts_schedule_updated ON contacts;
DROP TRIGGER contacts_schedule_inserted ON contacts;
DROP FUNCTION rapport_schedule_deleted();
DROP FUNCTION rapport_schedule_updated();
DROP FUNCTION rapport_schedule_inserted();
DROP TABLE contact_schedule;
