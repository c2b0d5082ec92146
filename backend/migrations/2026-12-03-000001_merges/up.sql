-- Merging two contacts (or two companies) into one. The merged record stays, out of sight
-- (`deleted_at` set) while a merge not undone names it: its old id resolves to the survivor, even
-- once it is purged with the trash. What the merge changed is kept here so that it can be undone
-- for 30 days.
CREATE TABLE merges (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('contact', 'company')),
    survivor_id uuid NOT NULL,
    merged_id uuid NOT NULL CHECK (merged_id <> survivor_id),
    -- The survivor's editable fields before and after the merge, and the merged record's
    -- trash state before it: an undo puts back what nobody changed since.
    survivor_before jsonb NOT NULL,
    survivor_after jsonb NOT NULL,
    merged_deleted_at timestamptz,
    -- Ids of the records moved to the survivor, by table.
    moved jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    undone_at timestamptz,
    undone_by uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX merges_workspace_idx ON merges (workspace_id, created_at DESC, id DESC);
-- "Was this record merged, and into which?" — asked when a deleted record is read or written.
CREATE INDEX merges_merged_idx ON merges (merged_id, created_at DESC) WHERE undone_at IS NULL;
CREATE INDEX merges_survivor_idx ON merges (survivor_id, created_at DESC);
CREATE INDEX merges_created_by_idx ON merges (created_by);
CREATE INDEX merges_undone_by_idx ON merges (undone_by);

-- A merge (and its undo) is recorded in the history of both records, naming the merge.
ALTER TABLE activity ADD COLUMN merge_id uuid;
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost', 'erased', 'merged', 'unmerged'));
