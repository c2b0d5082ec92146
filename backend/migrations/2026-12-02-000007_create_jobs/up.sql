-- One queue for all background work (backups now; imports, exports, deliveries and purges next).
-- Workers claim a due job with FOR UPDATE SKIP LOCKED, so several server instances share the
-- queue and never run a job twice at once; a claimed job holds a lease (locked_until) that a
-- worker that dies lets lapse, after which another worker takes the job again.
CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    -- NULL for work that belongs to the installation (backups), else the workspace's.
    workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    -- Not before this time.
    run_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    locked_until timestamptz,
    locked_by text,
    last_error text,
    progress_done bigint NOT NULL DEFAULT 0,
    progress_total bigint,
    result jsonb,
    -- At most one job per key (e.g. one backup per scheduled day, whichever instance enqueues it).
    dedupe_key text UNIQUE,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    finished_at timestamptz,
    CHECK ((status = 'running') = (locked_until IS NOT NULL))
);

-- The claim's search: due queued jobs, and running ones whose lease lapsed.
CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_workspace_kind ON jobs (workspace_id, kind, created_at DESC);
-- (Deleting a user clears created_by.)
CREATE INDEX jobs_created_by ON jobs (created_by) WHERE created_by IS NOT NULL;
