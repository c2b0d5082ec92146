-- The timeline: every touchpoint with a contact.
CREATE TABLE interactions (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('email', 'call', 'meeting', 'video_call', 'message', 'social', 'note', 'other')),
    direction text CHECK (direction IN ('inbound', 'outbound')),
    occurred_at timestamptz NOT NULL,
    subject text,
    body text,
    outcome text CHECK (outcome IN ('positive', 'neutral', 'negative', 'no_response')),
    duration_minutes integer CHECK (duration_minutes BETWEEN 0 AND 1440),
    sentiment_label text CHECK (sentiment_label IN ('positive', 'neutral', 'negative')),
    sentiment_score double precision CHECK (sentiment_score BETWEEN -1 AND 1),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1,
    CHECK ((sentiment_label IS NULL) = (sentiment_score IS NULL))
);
-- A contact's timeline, newest first; also serves "latest interaction of a contact".
CREATE INDEX interactions_timeline_idx ON interactions (contact_id, occurred_at, id);
-- The workspace-wide feed.
CREATE INDEX interactions_workspace_idx ON interactions (workspace_id, occurred_at, id);

-- Follow-up defaults for the default workspace: days between touchpoints per lifecycle stage
-- (null: no automatic follow-up), the grace period before "due" becomes "overdue", and the
-- time zone that decides what "today" is.
UPDATE workspaces SET settings = settings || jsonb_build_object(
    'timezone', 'UTC',
    'overdue_after_days', 2,
    'follow_up_cadence_days', jsonb_build_object('lead', 3, 'prospect', 7, 'client', 30, 'inactive', null)
);
