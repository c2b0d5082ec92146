ALTER TABLE products ALTER COLUMN sort_name DROP NOT NULL;
ALTER TABLE email_templates ALTER COLUMN sort_name DROP NOT NULL;
ALTER TABLE deals ALTER COLUMN sort_title DROP NOT NULL;
ALTER TABLE contacts ALTER COLUMN sort_name DROP NOT NULL, ALTER COLUMN search_text DROP NOT NULL;
ALTER TABLE companies ALTER COLUMN sort_name DROP NOT NULL, ALTER COLUMN search_text DROP NOT NULL;

ALTER TABLE activity DROP COLUMN actor_id, DROP COLUMN actor_name;
ALTER TABLE reminders DROP COLUMN assignee_id;
ALTER TABLE deals DROP COLUMN owner_id;
ALTER TABLE contacts DROP COLUMN owner_id;

ALTER TABLE proposal_lines DROP CONSTRAINT proposal_lines_product_id_fkey,
    DROP CONSTRAINT proposal_lines_proposal_id_fkey,
    DROP COLUMN workspace_id,
    ADD CONSTRAINT proposal_lines_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id) ON DELETE CASCADE,
    ADD CONSTRAINT proposal_lines_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE SET NULL;

ALTER TABLE ai_conversations DROP CONSTRAINT ai_conversations_contact_id_fkey,
    ADD CONSTRAINT ai_conversations_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE;
ALTER TABLE proposals DROP CONSTRAINT proposals_deal_id_fkey,
    ADD CONSTRAINT proposals_deal_id_fkey FOREIGN KEY (deal_id) REFERENCES deals (id) ON DELETE CASCADE;
ALTER TABLE payments DROP CONSTRAINT payments_deal_id_fkey,
    ADD CONSTRAINT payments_deal_id_fkey FOREIGN KEY (deal_id) REFERENCES deals (id) ON DELETE SET NULL;
ALTER TABLE payments DROP CONSTRAINT payments_contact_id_fkey,
    ADD CONSTRAINT payments_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE;
ALTER TABLE deal_stage_history DROP CONSTRAINT deal_stage_history_to_stage_id_fkey,
    ADD CONSTRAINT deal_stage_history_to_stage_id_fkey FOREIGN KEY (to_stage_id) REFERENCES pipeline_stages (id) ON DELETE SET NULL;
ALTER TABLE deal_stage_history DROP CONSTRAINT deal_stage_history_from_stage_id_fkey,
    ADD CONSTRAINT deal_stage_history_from_stage_id_fkey FOREIGN KEY (from_stage_id) REFERENCES pipeline_stages (id) ON DELETE SET NULL;
ALTER TABLE deal_stage_history DROP CONSTRAINT deal_stage_history_deal_id_fkey,
    ADD CONSTRAINT deal_stage_history_deal_id_fkey FOREIGN KEY (deal_id) REFERENCES deals (id) ON DELETE CASCADE;
ALTER TABLE deals DROP CONSTRAINT deals_company_id_fkey,
    ADD CONSTRAINT deals_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE SET NULL;
ALTER TABLE deals DROP CONSTRAINT deals_contact_id_fkey,
    ADD CONSTRAINT deals_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL;
ALTER TABLE deals DROP CONSTRAINT deals_stage_id_fkey,
    ADD CONSTRAINT deals_stage_id_fkey FOREIGN KEY (stage_id) REFERENCES pipeline_stages (id);
ALTER TABLE deals DROP CONSTRAINT deals_pipeline_id_fkey,
    ADD CONSTRAINT deals_pipeline_id_fkey FOREIGN KEY (pipeline_id) REFERENCES pipelines (id);
ALTER TABLE pipeline_stages DROP CONSTRAINT pipeline_stages_pipeline_id_fkey,
    ADD CONSTRAINT pipeline_stages_pipeline_id_fkey FOREIGN KEY (pipeline_id) REFERENCES pipelines (id) ON DELETE CASCADE;
ALTER TABLE reminders DROP CONSTRAINT reminders_deal_id_fkey,
    ADD CONSTRAINT reminders_deal_id_fkey FOREIGN KEY (deal_id) REFERENCES deals (id) ON DELETE SET NULL;
ALTER TABLE reminders DROP CONSTRAINT reminders_contact_id_fkey,
    ADD CONSTRAINT reminders_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE;
ALTER TABLE interactions DROP CONSTRAINT interactions_deal_id_fkey,
    ADD CONSTRAINT interactions_deal_id_fkey FOREIGN KEY (deal_id) REFERENCES deals (id) ON DELETE SET NULL;
ALTER TABLE interactions DROP CONSTRAINT interactions_contact_id_fkey,
    ADD CONSTRAINT interactions_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE;
ALTER TABLE contacts DROP CONSTRAINT contacts_company_id_fkey,
    ADD CONSTRAINT contacts_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE SET NULL;

ALTER TABLE proposals DROP CONSTRAINT proposals_workspace_id_id_key;
ALTER TABLE products DROP CONSTRAINT products_workspace_id_id_key;
ALTER TABLE pipeline_stages DROP CONSTRAINT pipeline_stages_workspace_id_id_key;
ALTER TABLE pipelines DROP CONSTRAINT pipelines_workspace_id_id_key;
ALTER TABLE deals DROP CONSTRAINT deals_workspace_id_id_key;
ALTER TABLE contacts DROP CONSTRAINT contacts_workspace_id_id_key;
ALTER TABLE companies DROP CONSTRAINT companies_workspace_id_id_key;
