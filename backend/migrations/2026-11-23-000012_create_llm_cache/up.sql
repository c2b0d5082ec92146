-- Every language-model answer, memoized without expiry. The key is the blake3 hash of
-- everything that determines the answer (workspace included, so nothing leaks across
-- workspaces). A row with no response is a call in flight: other processes wait for it
-- instead of calling the model again (until `pending_until`, after which the claim lapses).
CREATE TABLE llm_cache (
    key bytea PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    feature text NOT NULL,
    provider text NOT NULL,
    model text NOT NULL,
    prompt_version text NOT NULL,
    request jsonb NOT NULL,
    response jsonb,
    prompt_tokens integer,
    completion_tokens integer,
    latency_ms integer,
    created_at timestamptz NOT NULL,
    pending_until timestamptz,
    hit_count bigint NOT NULL DEFAULT 0,
    last_hit_at timestamptz,
    CHECK ((response IS NULL) = (pending_until IS NOT NULL))
);
CREATE INDEX llm_cache_workspace_idx ON llm_cache (workspace_id, created_at);

-- Calls that reached a provider (misses) and calls that failed, per workspace.
CREATE TABLE llm_usage (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    misses bigint NOT NULL DEFAULT 0,
    failures bigint NOT NULL DEFAULT 0
);
