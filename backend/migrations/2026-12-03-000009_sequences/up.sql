-- Email sequences: template steps sent over SMTP inside a sending window in each contact's time
-- zone, stopped by a reply (any inbound interaction) or an unsubscribe.

-- A contact's own time zone (sequences send in it; the workspace's when NULL).
ALTER TABLE contacts ADD COLUMN time_zone text CHECK (char_length(time_zone) BETWEEN 1 AND 64);

CREATE TABLE sequences (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    -- [{"template_id": …, "delay_days": 3, "subject_b": null}, …]; the first delay counts from
    -- the enrollment, each next one from the step before.
    steps jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array'),
    -- Emails go out from window_start to window_end (hours, the contact's local time), on
    -- weekdays only when asked.
    window_start smallint NOT NULL DEFAULT 9 CHECK (window_start BETWEEN 0 AND 23),
    window_end smallint NOT NULL DEFAULT 17 CHECK (window_end BETWEEN 1 AND 24),
    weekdays_only boolean NOT NULL DEFAULT true,
    enabled boolean NOT NULL DEFAULT true,
    -- Signs the unsubscribe links of its emails.
    token_key bytea NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1,
    CHECK (window_start < window_end)
);
CREATE INDEX sequences_workspace_idx ON sequences (workspace_id, created_at, id);
CREATE INDEX sequences_created_by_idx ON sequences (created_by);

-- Contacts who unsubscribed from sequence emails: none is sent to them again (emails written to
-- them one by one still go).
CREATE TABLE mail_unsubscribes (
    contact_id uuid PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    -- The sequence whose email held the link.
    sequence_id uuid REFERENCES sequences (id) ON DELETE SET NULL,
    unsubscribed_at timestamptz NOT NULL
);
CREATE INDEX mail_unsubscribes_workspace_idx ON mail_unsubscribes (workspace_id);
CREATE INDEX mail_unsubscribes_sequence_idx ON mail_unsubscribes (sequence_id);

CREATE TABLE sequence_enrollments (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    sequence_id uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    -- active: steps left to send; completed: all sent; replied: an inbound interaction came;
    -- unsubscribed; stopped: by a person; failed: a step could not be sent.
    status text NOT NULL CHECK (status IN ('active', 'completed', 'replied', 'unsubscribed', 'stopped', 'failed')),
    -- The index of the next step to send.
    next_step integer NOT NULL DEFAULT 0,
    -- When the next step is due (it waits for the sending window); NULL once finished.
    next_send_at timestamptz,
    last_error text,
    enrolled_by uuid REFERENCES users (id) ON DELETE SET NULL,
    enrolled_at timestamptz NOT NULL,
    finished_at timestamptz
);
-- One active enrollment per contact and sequence.
CREATE UNIQUE INDEX sequence_enrollments_active_idx ON sequence_enrollments (sequence_id, contact_id)
    WHERE status = 'active';
CREATE INDEX sequence_enrollments_list_idx ON sequence_enrollments (sequence_id, enrolled_at DESC, id DESC);
CREATE INDEX sequence_enrollments_due_idx ON sequence_enrollments (next_send_at) WHERE status = 'active';
CREATE INDEX sequence_enrollments_contact_idx ON sequence_enrollments (contact_id);
CREATE INDEX sequence_enrollments_workspace_idx ON sequence_enrollments (workspace_id);
CREATE INDEX sequence_enrollments_enrolled_by_idx ON sequence_enrollments (enrolled_by);

-- Each step sent: which subject variant, and the email's interaction.
CREATE TABLE sequence_sends (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    enrollment_id uuid NOT NULL REFERENCES sequence_enrollments (id) ON DELETE CASCADE,
    step integer NOT NULL,
    variant text NOT NULL CHECK (variant IN ('a', 'b')),
    interaction_id uuid REFERENCES interactions (id) ON DELETE SET NULL,
    sent_at timestamptz NOT NULL
);
CREATE INDEX sequence_sends_enrollment_idx ON sequence_sends (enrollment_id, step);
CREATE INDEX sequence_sends_workspace_idx ON sequence_sends (workspace_id);
CREATE INDEX sequence_sends_interaction_idx ON sequence_sends (interaction_id);

-- A reply stops the sequence: any inbound interaction with the contact that happened after the
-- enrollment — logged by hand, imported from .eml/mbox, or a form submission — whichever path
-- wrote it.
CREATE FUNCTION stop_sequences_on_reply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sequence_enrollments
       SET status = 'replied', next_send_at = NULL, finished_at = NEW.occurred_at
     WHERE contact_id = NEW.contact_id AND status = 'active' AND enrolled_at <= NEW.occurred_at;
    RETURN NEW;
END $$;
CREATE TRIGGER interactions_stop_sequences AFTER INSERT ON interactions
    FOR EACH ROW WHEN (NEW.direction = 'inbound') EXECUTE FUNCTION stop_sequences_on_reply();
