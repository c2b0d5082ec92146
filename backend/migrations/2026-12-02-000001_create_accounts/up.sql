-- Accounts: people who sign in, their memberships in workspaces (with a role), browser sessions,
-- personal API tokens, invitations, the security log, failed sign-ins (for abuse limits) and the
-- one-time setup code of a fresh installation. Secrets (session and token values, invitation
-- links, the setup code) are stored only as blake3 hashes.

-- Email is kept lower-case and unique; the password is an argon2id PHC string.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    last_sign_in_at timestamptz,
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE memberships (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'read_only')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- A browser session; `workspace_id` is the workspace the session currently works in (none when
-- its user belongs to no workspace).
CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id uuid REFERENCES workspaces (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    user_agent text,
    client_ip text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_workspace_idx ON sessions (workspace_id);

-- A personal API token acts for its user in one workspace, never above that user's role there.
CREATE TABLE api_tokens (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    scope text NOT NULL CHECK (scope IN ('read', 'write')),
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz,
    -- A token exists only while its user is a member of its workspace.
    FOREIGN KEY (workspace_id, user_id) REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_member_idx ON api_tokens (workspace_id, user_id, created_at);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE invitations (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (email = lower(email)),
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'read_only')),
    token_hash bytea NOT NULL UNIQUE,
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at timestamptz
);
CREATE INDEX invitations_workspace_idx ON invitations (workspace_id, created_at);
CREATE INDEX invitations_invited_by_idx ON invitations (invited_by);
CREATE INDEX invitations_accepted_by_idx ON invitations (accepted_by);

-- Sign-ins, failed sign-ins, token creation and revocation, role changes: what an admin audits.
CREATE TABLE security_events (
    id uuid PRIMARY KEY,
    workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
    kind text NOT NULL,
    email text,
    client_ip text,
    detail text NOT NULL DEFAULT '',
    occurred_at timestamptz NOT NULL
);
CREATE INDEX security_events_workspace_idx ON security_events (workspace_id, occurred_at, id);
CREATE INDEX security_events_user_idx ON security_events (user_id);
CREATE INDEX security_events_actor_idx ON security_events (actor_id);

-- Failed sign-ins of the last minutes, counted by address and by email (the abuse limits), so the
-- limits hold across several server instances.
CREATE TABLE sign_in_failures (
    id uuid PRIMARY KEY,
    client_ip text NOT NULL,
    email text NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_ip_idx ON sign_in_failures (client_ip, occurred_at);
CREATE INDEX sign_in_failures_email_idx ON sign_in_failures (email, occurred_at);

-- The one-time code that lets the first person create the first account.
CREATE TABLE setup_codes (
    code_hash bytea PRIMARY KEY,
    created_at timestamptz NOT NULL
);

-- A time-ordered UUID (version 7) made in SQL, for rows the database creates itself.
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
            PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
            FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;

-- What a new workspace starts with: the "Sales" and "Job search" pipelines and the starter
-- templates (the same as the first workspace got).
CREATE FUNCTION seed_workspace(ws uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    sales uuid := uuid_v7();
    jobs uuid := uuid_v7();
BEGIN
    INSERT INTO pipelines (id, workspace_id, name, position, created_at, updated_at) VALUES
      (sales, ws, 'Sales', 0, now(), now()),
      (jobs, ws, 'Job search', 1, now(), now());
    INSERT INTO pipeline_stages (id, workspace_id, pipeline_id, name, position, probability, kind, created_at, updated_at)
    SELECT uuid_v7(), ws, CASE s.p WHEN 'sales' THEN sales ELSE jobs END, s.name, s.position, s.probability, s.kind, now(), now()
    FROM (VALUES
      ('sales', 'Lead', 0, 10, 'open'),
      ('sales', 'Qualified', 1, 30, 'open'),
      ('sales', 'Proposal', 2, 60, 'open'),
      ('sales', 'Won (Client)', 3, 100, 'won'),
      ('sales', 'Lost', 4, 0, 'lost'),
      ('jobs', 'Interested', 0, 5, 'open'),
      ('jobs', 'Applied', 1, 10, 'open'),
      ('jobs', 'Phone screen', 2, 20, 'open'),
      ('jobs', 'Interview', 3, 40, 'open'),
      ('jobs', 'Final round', 4, 60, 'open'),
      ('jobs', 'Offer', 5, 100, 'won'),
      ('jobs', 'Rejected', 6, 0, 'lost'),
      ('jobs', 'Withdrawn', 7, 0, 'lost')
    ) AS s (p, name, position, probability, kind);
    INSERT INTO email_templates (id, workspace_id, name, scenario, subject, body, created_at, updated_at)
    SELECT uuid_v7(), ws, t.name, t.scenario, t.subject, t.body, now(), now()
    FROM (VALUES
  ('Gentle follow-up', 'follow_up',
   'Following up, {{contact.first_name | there}}',
   E'Hi {{contact.first_name | there}},\n\nI wanted to follow up on my last message. Is this still a priority for {{company.name | your team}}?\n\nHappy to find a time that suits you.\n\nBest regards'),
  ('Introduction', 'intro',
   'Introduction: how I can help {{company.name | you}}',
   E'Hi {{contact.first_name | there}},\n\nI help teams like {{company.name | yours}} with projects like this one. Would a 20-minute call next week be useful?\n\nBest regards'),
  ('Meeting request', 'meeting_request',
   'Time for a quick call?',
   E'Hi {{contact.first_name | there}},\n\nCould we find 30 minutes this week or next to talk it through? Suggest a time that works for you and I will send an invite.\n\nThanks'),
  ('Proposal sent', 'proposal',
   'Proposal for {{company.name | you}}',
   E'Hi {{contact.first_name | there}},\n\nAs promised, here is my proposal. It covers the scope we discussed, a timeline and the investment.\n\nI am happy to walk you through it on a call.\n\nBest regards'),
  ('Thank you', 'thank_you',
   'Thank you, {{contact.first_name | there}}',
   E'Hi {{contact.first_name | there}},\n\nThank you for your time today. It was great to learn more about {{company.name | your work}}. I will send the next steps shortly.\n\nBest regards'),
  ('Re-engage', 're_engage',
   'It has been a while, {{contact.first_name | there}}',
   E'Hi {{contact.first_name | there}},\n\nIt has been a while since we last spoke. How are things at {{company.name | your end}}? I would love to hear what you are working on.\n\nBest regards'),
  ('Quick check-in', 'check_in',
   'Checking in',
   E'Hi {{contact.first_name | there}},\n\nJust checking in to see how everything is going. Anything I can help with this month?\n\nBest')
    ) AS t (name, scenario, subject, body);
END;
$$;
