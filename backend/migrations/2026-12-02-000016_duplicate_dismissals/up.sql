-- Pairs of contacts or companies someone said are not duplicates: never proposed again.
CREATE TABLE duplicate_dismissals (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    entity text NOT NULL CHECK (entity IN ('contact', 'company')),
    -- The pair, the smaller id first.
    first_id uuid NOT NULL,
    second_id uuid NOT NULL,
    dismissed_by uuid REFERENCES users (id) ON DELETE SET NULL,
    dismissed_at timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, entity, first_id, second_id),
    CHECK (first_id < second_id)
);
CREATE INDEX duplicate_dismissals_dismissed_by ON duplicate_dismissals (dismissed_by) WHERE dismissed_by IS NOT NULL;
