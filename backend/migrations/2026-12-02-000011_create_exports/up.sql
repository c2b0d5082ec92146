-- Files the server keeps for a while (finished workspace exports, uploaded archives): stored in
-- PostgreSQL in 1 MiB chunks, so that every server instance can serve them and a download is
-- streamed chunk by chunk, never held whole in memory.
CREATE TABLE stored_files (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    content_type text NOT NULL,
    bytes bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    created_at timestamptz NOT NULL,
    -- Removed by the hourly purge after this time.
    expires_at timestamptz
);
CREATE INDEX stored_files_workspace ON stored_files (workspace_id);
CREATE INDEX stored_files_expires ON stored_files (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE stored_file_chunks (
    file_id uuid NOT NULL REFERENCES stored_files (id) ON DELETE CASCADE,
    seq integer NOT NULL CHECK (seq >= 0),
    data bytea NOT NULL,
    PRIMARY KEY (file_id, seq)
);
-- The chunks are compressed archives already: store them out of line without compressing again.
ALTER TABLE stored_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Full exports of a workspace (a .zip built by a job); downloadable for 7 days.
CREATE TABLE exports (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired')),
    job_id uuid REFERENCES jobs (id) ON DELETE SET NULL,
    file_id uuid REFERENCES stored_files (id) ON DELETE SET NULL,
    file_name text,
    bytes bigint CHECK (bytes >= 0),
    -- Records written per entity.
    counts jsonb,
    error text,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_by_name text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    finished_at timestamptz,
    expires_at timestamptz
);
CREATE INDEX exports_workspace_created ON exports (workspace_id, created_at DESC, id DESC);
CREATE INDEX exports_job ON exports (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX exports_file ON exports (file_id) WHERE file_id IS NOT NULL;
CREATE INDEX exports_created_by ON exports (created_by) WHERE created_by IS NOT NULL;
