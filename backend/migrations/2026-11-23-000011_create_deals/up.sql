-- Pipelines, their ordered stages, deals and each deal's stage history.
CREATE TABLE pipelines (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    position integer NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX pipelines_name_key ON pipelines (workspace_id, lower(name));
CREATE INDEX pipelines_order_idx ON pipelines (workspace_id, position, id);

CREATE TABLE pipeline_stages (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    pipeline_id uuid NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    position integer NOT NULL,
    probability smallint NOT NULL CHECK (probability BETWEEN 0 AND 100),
    kind text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX pipeline_stages_order_idx ON pipeline_stages (pipeline_id, position, id);
CREATE INDEX pipeline_stages_workspace_idx ON pipeline_stages (workspace_id);

CREATE TABLE deals (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    contact_id uuid REFERENCES contacts (id) ON DELETE SET NULL,
    company_id uuid REFERENCES companies (id) ON DELETE SET NULL,
    pipeline_id uuid NOT NULL REFERENCES pipelines (id),
    stage_id uuid NOT NULL REFERENCES pipeline_stages (id),
    -- For a retainer, the amount per month; otherwise the whole deal.
    value_minor bigint NOT NULL DEFAULT 0 CHECK (value_minor >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- A retainer's number of months; NULL for a one-off deal.
    recurring_months integer CHECK (recurring_months BETWEEN 1 AND 120),
    -- NULL: the stage's default probability applies.
    probability smallint CHECK (probability BETWEEN 0 AND 100),
    expected_close_date date,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason text,
    notes text,
    custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
    stage_changed_at timestamptz NOT NULL,
    closed_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    sort_title text GENERATED ALWAYS AS (lower(title)) STORED,
    CHECK ((status = 'open') = (closed_at IS NULL))
);
-- The board: one pipeline's live deals by stage.
CREATE INDEX deals_board_idx ON deals (pipeline_id, stage_id, stage_changed_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_list_idx ON deals (workspace_id, created_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_title_idx ON deals (workspace_id, sort_title, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_close_idx ON deals (workspace_id, expected_close_date, id) WHERE deleted_at IS NULL;
CREATE INDEX deals_closed_idx ON deals (workspace_id, closed_at) WHERE deleted_at IS NULL AND closed_at IS NOT NULL;
CREATE INDEX deals_stale_idx ON deals (workspace_id, stage_changed_at) WHERE deleted_at IS NULL AND status = 'open';
CREATE INDEX deals_contact_idx ON deals (contact_id);
CREATE INDEX deals_company_idx ON deals (company_id);
CREATE INDEX deals_stage_idx ON deals (stage_id);
CREATE INDEX deals_custom_fields_idx ON deals USING gin (custom_fields jsonb_path_ops);

-- Every stage a deal entered (the first row has no from_stage), for conversion rates.
CREATE TABLE deal_stage_history (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    deal_id uuid NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    from_stage_id uuid REFERENCES pipeline_stages (id) ON DELETE SET NULL,
    to_stage_id uuid REFERENCES pipeline_stages (id) ON DELETE SET NULL,
    changed_at timestamptz NOT NULL
);
CREATE INDEX deal_stage_history_deal_idx ON deal_stage_history (deal_id, changed_at, id);
CREATE INDEX deal_stage_history_workspace_idx ON deal_stage_history (workspace_id, changed_at);
CREATE INDEX deal_stage_history_from_idx ON deal_stage_history (from_stage_id);
CREATE INDEX deal_stage_history_to_idx ON deal_stage_history (to_stage_id);

-- Touchpoints and reminders may concern a deal.
ALTER TABLE interactions ADD COLUMN deal_id uuid REFERENCES deals (id) ON DELETE SET NULL;
CREATE INDEX interactions_deal_idx ON interactions (deal_id) WHERE deal_id IS NOT NULL;
ALTER TABLE reminders ADD COLUMN deal_id uuid REFERENCES deals (id) ON DELETE SET NULL;
CREATE INDEX reminders_deal_idx ON reminders (deal_id) WHERE deal_id IS NOT NULL;

-- Money received.
CREATE TABLE payments (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    deal_id uuid REFERENCES deals (id) ON DELETE SET NULL,
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    received_on date NOT NULL,
    note text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX payments_received_idx ON payments (workspace_id, received_on DESC, id);
CREATE INDEX payments_contact_idx ON payments (contact_id, received_on DESC);
CREATE INDEX payments_deal_idx ON payments (deal_id) WHERE deal_id IS NOT NULL;

-- The product catalogue.
CREATE TABLE products (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sku text CHECK (length(sku) BETWEEN 1 AND 64),
    category text,
    price_minor bigint NOT NULL CHECK (price_minor >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    description text,
    in_stock boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1,
    sort_name text GENERATED ALWAYS AS (lower(name)) STORED
);
CREATE UNIQUE INDEX products_sku_key ON products (workspace_id, lower(sku)) WHERE sku IS NOT NULL;
CREATE INDEX products_list_idx ON products (workspace_id, sort_name, id);

-- Quotes and proposals for a deal; line amounts are computed from quantity, price and discount.
CREATE TABLE proposals (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    deal_id uuid NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    number integer NOT NULL,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'accepted', 'declined')),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Tax in basis points (2000 = 20 %), applied after line discounts.
    tax_rate_bp integer NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    introduction text,
    terms text,
    valid_until date,
    sent_at timestamptz,
    decided_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX proposals_number_key ON proposals (workspace_id, number);
CREATE INDEX proposals_deal_idx ON proposals (deal_id, created_at);
CREATE INDEX proposals_list_idx ON proposals (workspace_id, created_at DESC, id);

CREATE TABLE proposal_lines (
    id uuid PRIMARY KEY,
    proposal_id uuid NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position integer NOT NULL,
    product_id uuid REFERENCES products (id) ON DELETE SET NULL,
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    -- Thousandths, so 1.5 hours is 1500.
    quantity_milli bigint NOT NULL CHECK (quantity_milli > 0),
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
    -- Basis points (1000 = 10 %).
    discount_bp integer NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000)
);
CREATE INDEX proposal_lines_proposal_idx ON proposal_lines (proposal_id, position);
CREATE INDEX proposal_lines_product_idx ON proposal_lines (product_id) WHERE product_id IS NOT NULL;

-- The activity feed covers the new records.
ALTER TABLE activity DROP CONSTRAINT activity_entity_check;
ALTER TABLE activity ADD CONSTRAINT activity_entity_check
    CHECK (entity IN ('contact', 'company', 'interaction', 'reminder', 'template', 'settings',
                      'deal', 'pipeline', 'payment', 'product', 'proposal'));
ALTER TABLE activity DROP CONSTRAINT activity_action_check;
ALTER TABLE activity ADD CONSTRAINT activity_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'trashed', 'restored', 'completed', 'reopened', 'snoozed',
                      'moved', 'won', 'lost'));

-- The two starter pipelines of the default workspace (SPEC: "Sales" and "Job search").
INSERT INTO pipelines (id, workspace_id, name, position, created_at, updated_at) VALUES
  ('01936000-0000-7000-8000-000000000201', '01936000-0000-7000-8000-000000000001', 'Sales', 0, now(), now()),
  ('01936000-0000-7000-8000-000000000202', '01936000-0000-7000-8000-000000000001', 'Job search', 1, now(), now());
INSERT INTO pipeline_stages (id, workspace_id, pipeline_id, name, position, probability, kind, created_at, updated_at)
SELECT s.id::uuid, '01936000-0000-7000-8000-000000000001', s.pipeline::uuid, s.name, s.position, s.probability, s.kind, now(), now()
FROM (VALUES
  ('01936000-0000-7000-8000-000000000211', '01936000-0000-7000-8000-000000000201', 'Lead', 0, 10, 'open'),
  ('01936000-0000-7000-8000-000000000212', '01936000-0000-7000-8000-000000000201', 'Qualified', 1, 30, 'open'),
  ('01936000-0000-7000-8000-000000000213', '01936000-0000-7000-8000-000000000201', 'Proposal', 2, 60, 'open'),
  ('01936000-0000-7000-8000-000000000214', '01936000-0000-7000-8000-000000000201', 'Won (Client)', 3, 100, 'won'),
  ('01936000-0000-7000-8000-000000000215', '01936000-0000-7000-8000-000000000201', 'Lost', 4, 0, 'lost'),
  ('01936000-0000-7000-8000-000000000221', '01936000-0000-7000-8000-000000000202', 'Interested', 0, 5, 'open'),
  ('01936000-0000-7000-8000-000000000222', '01936000-0000-7000-8000-000000000202', 'Applied', 1, 10, 'open'),
  ('01936000-0000-7000-8000-000000000223', '01936000-0000-7000-8000-000000000202', 'Phone screen', 2, 20, 'open'),
  ('01936000-0000-7000-8000-000000000224', '01936000-0000-7000-8000-000000000202', 'Interview', 3, 40, 'open'),
  ('01936000-0000-7000-8000-000000000225', '01936000-0000-7000-8000-000000000202', 'Final round', 4, 60, 'open'),
  ('01936000-0000-7000-8000-000000000226', '01936000-0000-7000-8000-000000000202', 'Offer', 5, 100, 'won'),
  ('01936000-0000-7000-8000-000000000227', '01936000-0000-7000-8000-000000000202', 'Rejected', 6, 0, 'lost'),
  ('01936000-0000-7000-8000-000000000228', '01936000-0000-7000-8000-000000000202', 'Withdrawn', 7, 0, 'lost')
) AS s (id, pipeline, name, position, probability, kind);
