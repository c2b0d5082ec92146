CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE companies (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    domain text,
    industry text,
    size text,
    location text,
    notes text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);
-- Contacts name their company by text; one company per name (case-insensitive) in a workspace.
CREATE UNIQUE INDEX companies_workspace_name_key ON companies (workspace_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX companies_name_trgm ON companies USING gin (lower(name) gin_trgm_ops);

-- array_to_string is only STABLE in general; for text[] it is immutable, which a generated
-- column needs.
CREATE FUNCTION rapport_join_text(text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_string($1, ' ');

CREATE TABLE contacts (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    first_name text NOT NULL,
    last_name text NOT NULL DEFAULT '',
    emails text[] NOT NULL DEFAULT '{}',
    phones text[] NOT NULL DEFAULT '{}',
    company_id uuid REFERENCES companies (id) ON DELETE SET NULL,
    job_title text,
    website text,
    linkedin_url text,
    twitter_url text,
    location text,
    source text CHECK (source IN ('referral', 'website', 'linkedin', 'event', 'cold_outreach',
                                  'social_media', 'partner', 'advertising', 'inbound_email', 'other')),
    lifecycle text NOT NULL DEFAULT 'lead' CHECK (lifecycle IN ('lead', 'prospect', 'client', 'inactive')),
    relationship_type text CHECK (relationship_type IN ('client', 'prospect', 'colleague', 'friend',
                                  'family', 'mentor', 'recruiter', 'investor', 'partner', 'vendor', 'other')),
    connection_strength smallint CHECK (connection_strength BETWEEN 1 AND 5),
    notes text,
    tags text[] NOT NULL DEFAULT '{}',
    custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
    follow_up_cadence_days integer CHECK (follow_up_cadence_days BETWEEN 1 AND 3650),
    last_interaction_at timestamptz,
    next_follow_up_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    -- Lower-cased display name: the "name" sort key.
    sort_name text GENERATED ALWAYS AS (lower(first_name || ' ' || last_name)) STORED,
    -- What `q` matches besides the company name: names, emails, phones, job title, location.
    search_text text GENERATED ALWAYS AS (lower(
        first_name || ' ' || last_name || ' ' || rapport_join_text(emails) || ' '
        || rapport_join_text(phones) || ' ' || coalesce(job_title, '') || ' ' || coalesce(location, '')
    )) STORED
);

-- Keyset pagination: one index per sort key, live rows only, (workspace, key, id).
CREATE INDEX contacts_created_idx ON contacts (workspace_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_updated_idx ON contacts (workspace_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_name_idx ON contacts (workspace_id, sort_name, id) WHERE deleted_at IS NULL;
-- Nullable sort keys sort with a sentinel so that keyset comparisons never meet a NULL:
-- "never contacted" counts as the distant past, "no follow-up" as the distant future.
CREATE INDEX contacts_last_interaction_idx ON contacts
    (workspace_id, (coalesce(last_interaction_at, '0001-01-01 00:00:00+00'::timestamptz)), id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_next_follow_up_idx ON contacts
    (workspace_id, (coalesce(next_follow_up_at, '9999-12-31 00:00:00+00'::timestamptz)), id) WHERE deleted_at IS NULL;
-- The trash, newest deletion first.
CREATE INDEX contacts_deleted_idx ON contacts (workspace_id, deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_company_idx ON contacts (company_id);
CREATE INDEX contacts_workspace_idx ON contacts (workspace_id);
CREATE INDEX contacts_search_trgm ON contacts USING gin (search_text gin_trgm_ops);
CREATE INDEX contacts_tags_gin ON contacts USING gin (tags);
CREATE INDEX contacts_emails_gin ON contacts USING gin (emails);
CREATE INDEX companies_workspace_idx ON companies (workspace_id);
