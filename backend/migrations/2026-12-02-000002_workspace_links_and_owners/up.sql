-- Records of one workspace can only point at records of the same workspace: every foreign key
-- between workspace-owned tables includes workspace_id, so no query — however wrong — can attach
-- workspace A's deal to workspace B's contact. Contacts and deals get an owner and reminders an
-- assignee (a member of the workspace); activity entries record who made the change.

-- Parents: (workspace_id, id) is what the composite keys point at.
ALTER TABLE companies ADD CONSTRAINT companies_workspace_id_id_key UNIQUE (workspace_id, id);
ALTER TABLE contacts ADD CONSTRAINT contacts_workspace_id_id_key UNIQUE (workspace_id, id);
ALTER TABLE deals ADD CONSTRAINT deals_workspace_id_id_key UNIQUE (workspace_id, id);
ALTER TABLE pipelines ADD CONSTRAINT pipelines_workspace_id_id_key UNIQUE (workspace_id, id);
ALTER TABLE pipeline_stages ADD CONSTRAINT pipeline_stages_workspace_id_id_key UNIQUE (workspace_id, id);
ALTER TABLE products ADD CONSTRAINT products_workspace_id_id_key UNIQUE (workspace_id, id);
ALTER TABLE proposals ADD CONSTRAINT proposals_workspace_id_id_key UNIQUE (workspace_id, id);

ALTER TABLE contacts DROP CONSTRAINT contacts_company_id_fkey,
    ADD CONSTRAINT contacts_company_id_fkey FOREIGN KEY (workspace_id, company_id)
        REFERENCES companies (workspace_id, id) ON DELETE SET NULL (company_id);
ALTER TABLE interactions DROP CONSTRAINT interactions_contact_id_fkey,
    ADD CONSTRAINT interactions_contact_id_fkey FOREIGN KEY (workspace_id, contact_id)
        REFERENCES contacts (workspace_id, id) ON DELETE CASCADE;
ALTER TABLE interactions DROP CONSTRAINT interactions_deal_id_fkey,
    ADD CONSTRAINT interactions_deal_id_fkey FOREIGN KEY (workspace_id, deal_id)
        REFERENCES deals (workspace_id, id) ON DELETE SET NULL (deal_id);
ALTER TABLE reminders DROP CONSTRAINT reminders_contact_id_fkey,
    ADD CONSTRAINT reminders_contact_id_fkey FOREIGN KEY (workspace_id, contact_id)
        REFERENCES contacts (workspace_id, id) ON DELETE CASCADE;
ALTER TABLE reminders DROP CONSTRAINT reminders_deal_id_fkey,
    ADD CONSTRAINT reminders_deal_id_fkey FOREIGN KEY (workspace_id, deal_id)
        REFERENCES deals (workspace_id, id) ON DELETE SET NULL (deal_id);
ALTER TABLE pipeline_stages DROP CONSTRAINT pipeline_stages_pipeline_id_fkey,
    ADD CONSTRAINT pipeline_stages_pipeline_id_fkey FOREIGN KEY (workspace_id, pipeline_id)
        REFERENCES pipelines (workspace_id, id) ON DELETE CASCADE;
ALTER TABLE deals DROP CONSTRAINT deals_pipeline_id_fkey,
    ADD CONSTRAINT deals_pipeline_id_fkey FOREIGN KEY (workspace_id, pipeline_id)
        REFERENCES pipelines (workspace_id, id);
ALTER TABLE deals DROP CONSTRAINT deals_stage_id_fkey,
    ADD CONSTRAINT deals_stage_id_fkey FOREIGN KEY (workspace_id, stage_id)
        REFERENCES pipeline_stages (workspace_id, id);
ALTER TABLE deals DROP CONSTRAINT deals_contact_id_fkey,
    ADD CONSTRAINT deals_contact_id_fkey FOREIGN KEY (workspace_id, contact_id)
        REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id);
ALTER TABLE deals DROP CONSTRAINT deals_company_id_fkey,
    ADD CONSTRAINT deals_company_id_fkey FOREIGN KEY (workspace_id, company_id)
        REFERENCES companies (workspace_id, id) ON DELETE SET NULL (company_id);
ALTER TABLE deal_stage_history DROP CONSTRAINT deal_stage_history_deal_id_fkey,
    ADD CONSTRAINT deal_stage_history_deal_id_fkey FOREIGN KEY (workspace_id, deal_id)
        REFERENCES deals (workspace_id, id) ON DELETE CASCADE;
ALTER TABLE deal_stage_history DROP CONSTRAINT deal_stage_history_from_stage_id_fkey,
    ADD CONSTRAINT deal_stage_history_from_stage_id_fkey FOREIGN KEY (workspace_id, from_stage_id)
        REFERENCES pipeline_stages (workspace_id, id) ON DELETE SET NULL (from_stage_id);
ALTER TABLE deal_stage_history DROP CONSTRAINT deal_stage_history_to_stage_id_fkey,
    ADD CONSTRAINT deal_stage_history_to_stage_id_fkey FOREIGN KEY (workspace_id, to_stage_id)
        REFERENCES pipeline_stages (workspace_id, id) ON DELETE SET NULL (to_stage_id);
ALTER TABLE payments DROP CONSTRAINT payments_contact_id_fkey,
    ADD CONSTRAINT payments_contact_id_fkey FOREIGN KEY (workspace_id, contact_id)
        REFERENCES contacts (workspace_id, id) ON DELETE CASCADE;
ALTER TABLE payments DROP CONSTRAINT payments_deal_id_fkey,
    ADD CONSTRAINT payments_deal_id_fkey FOREIGN KEY (workspace_id, deal_id)
        REFERENCES deals (workspace_id, id) ON DELETE SET NULL (deal_id);
ALTER TABLE proposals DROP CONSTRAINT proposals_deal_id_fkey,
    ADD CONSTRAINT proposals_deal_id_fkey FOREIGN KEY (workspace_id, deal_id)
        REFERENCES deals (workspace_id, id) ON DELETE CASCADE;
ALTER TABLE ai_conversations DROP CONSTRAINT ai_conversations_contact_id_fkey,
    ADD CONSTRAINT ai_conversations_contact_id_fkey FOREIGN KEY (workspace_id, contact_id)
        REFERENCES contacts (workspace_id, id) ON DELETE CASCADE;

-- Proposal lines carry their workspace too, so a line can only name a product of its own.
ALTER TABLE proposal_lines ADD COLUMN workspace_id uuid;
UPDATE proposal_lines l SET workspace_id = p.workspace_id FROM proposals p WHERE p.id = l.proposal_id;
ALTER TABLE proposal_lines ALTER COLUMN workspace_id SET NOT NULL,
    DROP CONSTRAINT proposal_lines_proposal_id_fkey,
    ADD CONSTRAINT proposal_lines_proposal_id_fkey FOREIGN KEY (workspace_id, proposal_id)
        REFERENCES proposals (workspace_id, id) ON DELETE CASCADE,
    DROP CONSTRAINT proposal_lines_product_id_fkey,
    ADD CONSTRAINT proposal_lines_product_id_fkey FOREIGN KEY (workspace_id, product_id)
        REFERENCES products (workspace_id, id) ON DELETE SET NULL (product_id);

-- Owners and assignees: members of the workspace; removing the member leaves the records unowned.
ALTER TABLE contacts ADD COLUMN owner_id uuid,
    ADD CONSTRAINT contacts_owner_id_fkey FOREIGN KEY (workspace_id, owner_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE SET NULL (owner_id);
CREATE INDEX contacts_owner_idx ON contacts (workspace_id, owner_id) WHERE owner_id IS NOT NULL;
ALTER TABLE deals ADD COLUMN owner_id uuid,
    ADD CONSTRAINT deals_owner_id_fkey FOREIGN KEY (workspace_id, owner_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE SET NULL (owner_id);
CREATE INDEX deals_owner_idx ON deals (workspace_id, owner_id) WHERE owner_id IS NOT NULL;
ALTER TABLE reminders ADD COLUMN assignee_id uuid,
    ADD CONSTRAINT reminders_assignee_id_fkey FOREIGN KEY (workspace_id, assignee_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE SET NULL (assignee_id);
CREATE INDEX reminders_assignee_idx ON reminders (workspace_id, assignee_id) WHERE assignee_id IS NOT NULL;

-- Who made each change: the user (kept as history, so no foreign key: the log is append-only and
-- outlives accounts) and the name shown for them — theirs, or "<name> (API token <token name>)".
ALTER TABLE activity ADD COLUMN actor_id uuid, ADD COLUMN actor_name text;

-- Generated sort and search columns are never null (their sources are not): say so.
ALTER TABLE companies ALTER COLUMN sort_name SET NOT NULL, ALTER COLUMN search_text SET NOT NULL;
ALTER TABLE contacts ALTER COLUMN sort_name SET NOT NULL, ALTER COLUMN search_text SET NOT NULL;
ALTER TABLE deals ALTER COLUMN sort_title SET NOT NULL;
ALTER TABLE email_templates ALTER COLUMN sort_name SET NOT NULL;
ALTER TABLE products ALTER COLUMN sort_name SET NOT NULL;
