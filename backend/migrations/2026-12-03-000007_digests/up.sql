-- Members who asked for a daily email of their due follow-ups, when and in which time zone.
CREATE TABLE digest_subscriptions (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The hour of the day (0–23) in `time_zone` from which the day's email goes out.
    hour smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
    time_zone text NOT NULL CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    -- The local date of the last email (or of the last day with nothing to send).
    last_sent_on date,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX digest_subscriptions_user_idx ON digest_subscriptions (user_id);
