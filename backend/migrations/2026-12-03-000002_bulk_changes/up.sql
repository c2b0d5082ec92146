-- A change applied to many records at once (tags, stage of life, owner, a custom field, trash,
-- restore), undoable as a batch: each record's values before it, and the version it left the
-- record at (an undo leaves a record changed since as it is).
CREATE TABLE bulk_batches (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('contact', 'company', 'deal')),
    action jsonb NOT NULL,
    summary text NOT NULL,
    records integer NOT NULL,
    created_at timestamptz NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    undone_at timestamptz
);
CREATE INDEX bulk_batches_workspace_idx ON bulk_batches (workspace_id, created_at DESC);
CREATE INDEX bulk_batches_created_by_idx ON bulk_batches (created_by);

CREATE TABLE bulk_items (
    batch_id uuid NOT NULL REFERENCES bulk_batches (id) ON DELETE CASCADE,
    record_id uuid NOT NULL,
    before jsonb NOT NULL,
    version_after integer NOT NULL,
    PRIMARY KEY (batch_id, record_id)
);

-- The batch's summary entry in the history.
ALTER TABLE activity DROP CONSTRAINT activity_entity_check;
ALTER TABLE activity ADD CONSTRAINT activity_entity_check
    CHECK (entity IN ('contact', 'company', 'interaction', 'reminder', 'template', 'settings',
                      'deal', 'pipeline', 'payment', 'product', 'proposal', 'bulk'));
