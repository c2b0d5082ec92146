-- The demo records a workspace was given ("Load demo data"), so that "Remove demo data" takes
-- out exactly them and nothing a person added.
CREATE TABLE demo_records (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    entity text NOT NULL CHECK (entity IN ('company', 'contact', 'deal', 'product', 'proposal', 'payment')),
    entity_id uuid NOT NULL,
    PRIMARY KEY (workspace_id, entity, entity_id)
);

-- When a member put the first-run checklist away in this workspace.
ALTER TABLE memberships ADD COLUMN onboarding_dismissed_at timestamptz;
