-- Webhooks: a workspace's endpoints and the log of what was delivered to them.

-- The activity log is the outbox: every change writes its entry in the transaction that makes
-- the change. Readers that must not miss an entry (the webhook dispatcher, the live event
-- stream) read entries in the order of their transaction ids, and only those of transactions
-- older than every transaction still running, so an entry committed late is never skipped.
-- Entries written before this migration have no transaction id: they are history, not events.
ALTER TABLE activity ADD COLUMN txid bigint;
ALTER TABLE activity ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX activity_outbox_idx ON activity (txid, id) WHERE txid IS NOT NULL;

ALTER TABLE activity DROP CONSTRAINT activity_entity_check;
ALTER TABLE activity ADD CONSTRAINT activity_entity_check
    CHECK (entity IN ('contact', 'company', 'interaction', 'reminder', 'template', 'settings',
                      'deal', 'pipeline', 'payment', 'product', 'proposal', 'bulk', 'import', 'webhook'));
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost', 'erased', 'merged', 'unmerged', 'disabled'));

-- How far a reader of the outbox has got: the (txid, id) of the last entry it handled.
CREATE TABLE outbox_cursors (
    name text PRIMARY KEY,
    txid bigint NOT NULL,
    last_id uuid NOT NULL
);
INSERT INTO outbox_cursors (name, txid, last_id)
VALUES ('webhooks', 0, '00000000-0000-0000-0000-000000000000');

CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2000),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    events text[] NOT NULL CHECK (cardinality(events) >= 1),
    -- The signing secret, sealed with SECRETS_KEY (AES-256-GCM: nonce, then ciphertext and tag).
    secret bytea NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    -- Why Rapport turned it off (deliveries failing for 3 days); NULL when a person did.
    disabled_reason text,
    disabled_at timestamptz,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id, created_at, id);
CREATE INDEX webhooks_created_by_idx ON webhooks (created_by);

-- One row per event and endpoint: its body (the same bytes on every attempt) and how the
-- attempts went. The job queue runs the attempts.
CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    -- The record the event is about; deliveries about one record go out in event order.
    entity_id uuid,
    event_txid bigint NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    response_status integer,
    response_excerpt text,
    error text,
    duration_ms integer,
    last_attempt_at timestamptz,
    next_attempt_at timestamptz,
    -- No retry after this time (3 days after the event; the time of a manual redelivery).
    give_up_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (webhook_id, entity_id, event_txid, event_id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_workspace_idx ON webhook_deliveries (workspace_id);
