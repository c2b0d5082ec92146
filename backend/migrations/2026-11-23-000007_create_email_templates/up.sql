CREATE TABLE email_templates (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    scenario text NOT NULL CHECK (scenario IN ('follow_up', 'intro', 'meeting_request', 'proposal', 'thank_you',
                                               're_engage', 'check_in', 'other')),
    subject text NOT NULL,
    body text NOT NULL,
    sort_name text GENERATED ALWAYS AS (lower(name)) STORED,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX email_templates_name_key ON email_templates (workspace_id, sort_name);
CREATE INDEX email_templates_list_idx ON email_templates (workspace_id, sort_name, id);

-- A starter library for the default workspace.
INSERT INTO email_templates (id, workspace_id, name, scenario, subject, body, created_at, updated_at)
SELECT t.id::uuid, '01936000-0000-7000-8000-000000000001', t.name, t.scenario, t.subject, t.body, now(), now()
FROM (VALUES
  ('01936000-0000-7000-8000-000000000101', 'Gentle follow-up', 'follow_up',
   'Following up, {{contact.first_name | there}}',
   E'Hi {{contact.first_name | there}},\n\nI wanted to follow up on my last message. Is this still a priority for {{company.name | your team}}?\n\nHappy to find a time that suits you.\n\nBest regards'),
  ('01936000-0000-7000-8000-000000000102', 'Introduction', 'intro',
   'Introduction: how I can help {{company.name | you}}',
   E'Hi {{contact.first_name | there}},\n\nI help teams like {{company.name | yours}} with projects like this one. Would a 20-minute call next week be useful?\n\nBest regards'),
  ('01936000-0000-7000-8000-000000000103', 'Meeting request', 'meeting_request',
   'Time for a quick call?',
   E'Hi {{contact.first_name | there}},\n\nCould we find 30 minutes this week or next to talk it through? Suggest a time that works for you and I will send an invite.\n\nThanks'),
  ('01936000-0000-7000-8000-000000000104', 'Proposal sent', 'proposal',
   'Proposal for {{company.name | you}}',
   E'Hi {{contact.first_name | there}},\n\nAs promised, here is my proposal. It covers the scope we discussed, a timeline and the investment.\n\nI am happy to walk you through it on a call.\n\nBest regards'),
  ('01936000-0000-7000-8000-000000000105', 'Thank you', 'thank_you',
   'Thank you, {{contact.first_name | there}}',
   E'Hi {{contact.first_name | there}},\n\nThank you for your time today. It was great to learn more about {{company.name | your work}}. I will send the next steps shortly.\n\nBest regards'),
  ('01936000-0000-7000-8000-000000000106', 'Re-engage', 're_engage',
   'It has been a while, {{contact.first_name | there}}',
   E'Hi {{contact.first_name | there}},\n\nIt has been a while since we last spoke. How are things at {{company.name | your end}}? I would love to hear what you are working on.\n\nBest regards'),
  ('01936000-0000-7000-8000-000000000107', 'Quick check-in', 'check_in',
   'Checking in',
   E'Hi {{contact.first_name | there}},\n\nJust checking in to see how everything is going. Anything I can help with this month?\n\nBest')
) AS t (id, name, scenario, subject, body);
