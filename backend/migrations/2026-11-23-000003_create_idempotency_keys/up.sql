-- Responses to creating requests sent with an Idempotency-Key, so a retried request gets the
-- original answer instead of creating a duplicate. Kept for 24 hours.
CREATE TABLE idempotency_keys (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key text NOT NULL,
    -- blake3 of the method, path and canonical JSON body: the same key with another request is refused.
    fingerprint bytea NOT NULL,
    status smallint,
    response jsonb,
    location text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
