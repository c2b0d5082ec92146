-- Every domain row belongs to a workspace from day one, so accounts and teams can be added
-- later without reshaping any table.
CREATE TABLE workspaces (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The default workspace used until accounts exist. Its id is a fixed UUIDv7-shaped value so that
-- every installation (and every test database) agrees on it.
INSERT INTO workspaces (id, name) VALUES ('01936000-0000-7000-8000-000000000001', 'My workspace');
