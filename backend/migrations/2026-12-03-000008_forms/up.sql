-- Web-to-lead forms: what an admin designs (fields mapped to contact fields, what a submission
-- creates, the spam defences) and every submission received.
CREATE TABLE forms (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    enabled boolean NOT NULL DEFAULT true,
    -- [{"target": "email", "label": "Email", "required": true, "placeholder": null}, …]
    fields jsonb NOT NULL CHECK (jsonb_typeof(fields) = 'array'),
    tags text[] NOT NULL DEFAULT '{}',
    -- Who new contacts (and deals) belong to.
    owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
    -- A deal is opened in this pipeline (at `stage_id`, or its first stage) when set.
    pipeline_id uuid REFERENCES pipelines (id) ON DELETE SET NULL,
    stage_id uuid REFERENCES pipeline_stages (id) ON DELETE SET NULL,
    deal_title text CHECK (char_length(deal_title) <= 200),
    submit_label text NOT NULL CHECK (char_length(submit_label) BETWEEN 1 AND 50),
    thank_you_message text NOT NULL CHECK (char_length(thank_you_message) BETWEEN 1 AND 2000),
    redirect_url text CHECK (char_length(redirect_url) <= 2000),
    -- Origins (scheme://host[:port]) whose pages may post the form or frame it.
    allowed_origins text[] NOT NULL DEFAULT '{}',
    min_fill_seconds integer NOT NULL DEFAULT 3 CHECK (min_fill_seconds BETWEEN 0 AND 600),
    proof_of_work boolean NOT NULL DEFAULT false,
    -- Signs the tokens the form's page hands out (when it was shown; the proof-of-work puzzle).
    token_key bytea NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX forms_workspace_idx ON forms (workspace_id, created_at, id);
CREATE INDEX forms_owner_idx ON forms (owner_id);
CREATE INDEX forms_pipeline_idx ON forms (pipeline_id);
CREATE INDEX forms_stage_idx ON forms (stage_id);
CREATE INDEX forms_created_by_idx ON forms (created_by);

CREATE TABLE form_submissions (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    form_id uuid NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
    -- created: a new contact; matched: an existing contact (only its empty fields filled);
    -- spam: caught by a defence, nothing created.
    outcome text NOT NULL CHECK (outcome IN ('created', 'matched', 'spam')),
    spam_reason text,
    contact_id uuid REFERENCES contacts (id) ON DELETE SET NULL,
    deal_id uuid REFERENCES deals (id) ON DELETE SET NULL,
    interaction_id uuid REFERENCES interactions (id) ON DELETE SET NULL,
    -- The values of the form's fields, by target, as sent (trimmed).
    data jsonb NOT NULL,
    -- Fields of an existing contact that were empty and were filled from the submission.
    filled_fields text[] NOT NULL DEFAULT '{}',
    address text NOT NULL,
    origin text,
    user_agent text,
    created_at timestamptz NOT NULL
);
CREATE INDEX form_submissions_form_idx ON form_submissions (form_id, created_at DESC, id DESC);
CREATE INDEX form_submissions_address_idx ON form_submissions (form_id, address, created_at);
CREATE INDEX form_submissions_workspace_idx ON form_submissions (workspace_id);
CREATE INDEX form_submissions_contact_idx ON form_submissions (contact_id);
CREATE INDEX form_submissions_deal_idx ON form_submissions (deal_id);
CREATE INDEX form_submissions_interaction_idx ON form_submissions (interaction_id);
