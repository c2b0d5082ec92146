-- Reminders: a dated to-do about a contact. An open reminder earlier than the cadence brings
-- the contact's next follow-up forward.
CREATE TABLE reminders (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    notes text,
    due_at timestamptz NOT NULL,
    completed_at timestamptz,
    origin text NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'automatic')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
-- Open reminders by due date (the workspace list) and per contact (the schedule, contact pages).
CREATE INDEX reminders_open_idx ON reminders (workspace_id, due_at, id) WHERE completed_at IS NULL;
CREATE INDEX reminders_contact_idx ON reminders (contact_id, due_at) WHERE completed_at IS NULL;
CREATE INDEX reminders_contact_fk_idx ON reminders (contact_id);
CREATE INDEX reminders_workspace_idx ON reminders (workspace_id, due_at, id);
