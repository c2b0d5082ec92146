-- Open and closed deals summed per stage, owner, currency, status, expected month of closing
-- and number of months (1, or a retainer's): the board's column totals and the dashboard's
-- pipeline values and forecast read these rows — a few per stage — instead of every deal. Kept like the follow-up
-- days (2026-12-06-000003): the deal triggers append each statement's changes to
-- `deal_stage_total_changes`, the fold moves them into `deal_stage_totals`, readers add both.
--
-- `value_minor` is the deal's value over its months (a retainer of 500 for 12 months counts
-- 6,000); `weighted_minor` that value times the deal's probability, or its stage's when the deal
-- has none, rounded per deal — exactly what summing the deals gave; `weighted_month_minor` one
-- month's value times that probability, rounded per deal (the forecast's figure). A stage's new
-- probability recomputes that stage's rows.
CREATE TABLE deal_stage_totals (
    workspace_id uuid NOT NULL,
    stage_id uuid NOT NULL,
    owner_id uuid,
    currency text NOT NULL,
    status text NOT NULL,
    expected_month date,
    months integer NOT NULL,
    deals bigint NOT NULL,
    value_minor bigint NOT NULL,
    weighted_minor bigint NOT NULL,
    weighted_month_minor bigint NOT NULL,
    CONSTRAINT deal_stage_totals_key
        UNIQUE NULLS NOT DISTINCT (workspace_id, stage_id, owner_id, currency, status, expected_month, months)
);

CREATE TABLE deal_stage_total_changes (
    workspace_id uuid NOT NULL,
    stage_id uuid NOT NULL,
    owner_id uuid,
    currency text NOT NULL,
    status text NOT NULL,
    expected_month date,
    months integer NOT NULL,
    deals bigint NOT NULL,
    value_minor bigint NOT NULL,
    weighted_minor bigint NOT NULL,
    weighted_month_minor bigint NOT NULL
);
CREATE INDEX deal_stage_total_changes_workspace_idx ON deal_stage_total_changes (workspace_id);

INSERT INTO deal_stage_totals
SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
       count(*), sum(d.value_minor * coalesce(d.recurring_months, 1)),
       sum(round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0)),
       sum(round(d.value_minor * coalesce(d.probability, s.probability) / 100.0))
FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id
WHERE d.deleted_at IS NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- Writes hold this lock shared; a new stage probability takes it alone while it recomputes.
CREATE FUNCTION rapport_deal_stage_totals_lock(ws uuid, exclusive boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF exclusive THEN
        PERFORM pg_advisory_xact_lock(hashtext('deal_stage_totals'), hashtext(ws::text));
    ELSE
        PERFORM pg_advisory_xact_lock_shared(hashtext('deal_stage_totals'), hashtext(ws::text));
    END IF;
END $$;

-- One function for the three triggers: what the old rows (if any) took away and the new rows
-- (if any) added, per key; keys that even out are not written.
CREATE FUNCTION rapport_deal_stage_totals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ws uuid;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR ws IN SELECT DISTINCT workspace_id FROM new_rows ORDER BY 1 LOOP
            PERFORM rapport_deal_stage_totals_lock(ws, false);
        END LOOP;
        INSERT INTO deal_stage_total_changes
        SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
               count(*), sum(d.value_minor * coalesce(d.recurring_months, 1)),
               sum(round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0)),
               sum(round(d.value_minor * coalesce(d.probability, s.probability) / 100.0))
        FROM new_rows d JOIN pipeline_stages s ON s.id = d.stage_id
        WHERE d.deleted_at IS NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7;
    ELSIF TG_OP = 'DELETE' THEN
        FOR ws IN SELECT DISTINCT workspace_id FROM old_rows ORDER BY 1 LOOP
            PERFORM rapport_deal_stage_totals_lock(ws, false);
        END LOOP;
        INSERT INTO deal_stage_total_changes
        SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
               -count(*), -sum(d.value_minor * coalesce(d.recurring_months, 1)),
               -sum(round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0)),
               -sum(round(d.value_minor * coalesce(d.probability, s.probability) / 100.0))
        FROM old_rows d JOIN pipeline_stages s ON s.id = d.stage_id
        WHERE d.deleted_at IS NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7;
    ELSE
        FOR ws IN SELECT DISTINCT workspace_id FROM new_rows ORDER BY 1 LOOP
            PERFORM rapport_deal_stage_totals_lock(ws, false);
        END LOOP;
        WITH moves AS (
            SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status,
                   date_trunc('month', d.expected_close_date)::date AS expected_month,
                   coalesce(d.recurring_months, 1) AS months, -1 AS deals,
                   -(d.value_minor * coalesce(d.recurring_months, 1)) AS value_minor,
                   -round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0) AS weighted_minor,
                   -round(d.value_minor * coalesce(d.probability, s.probability) / 100.0) AS weighted_month_minor
            FROM old_rows d JOIN pipeline_stages s ON s.id = d.stage_id
            WHERE d.deleted_at IS NULL
            UNION ALL
            SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status,
                   date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1), 1,
                   d.value_minor * coalesce(d.recurring_months, 1),
                   round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0),
                   round(d.value_minor * coalesce(d.probability, s.probability) / 100.0)
            FROM new_rows d JOIN pipeline_stages s ON s.id = d.stage_id
            WHERE d.deleted_at IS NULL
        )
        INSERT INTO deal_stage_total_changes
        SELECT workspace_id, stage_id, owner_id, currency, status, expected_month, months,
               sum(deals), sum(value_minor), sum(weighted_minor), sum(weighted_month_minor)
        FROM moves
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(deals) <> 0 OR sum(value_minor) <> 0 OR sum(weighted_minor) <> 0 OR sum(weighted_month_minor) <> 0;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER deals_stage_totals_inserted AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_deal_stage_totals_changed();
CREATE TRIGGER deals_stage_totals_updated AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_deal_stage_totals_changed();
CREATE TRIGGER deals_stage_totals_deleted AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_deal_stage_totals_changed();

-- A stage's new probability changes the weighted value of its deals without a probability of
-- their own: its rows are recomputed from its deals.
CREATE FUNCTION rapport_deal_stage_totals_reweighed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rapport_deal_stage_totals_lock(NEW.workspace_id, true);
    DELETE FROM deal_stage_total_changes WHERE workspace_id = NEW.workspace_id AND stage_id = NEW.id;
    DELETE FROM deal_stage_totals WHERE workspace_id = NEW.workspace_id AND stage_id = NEW.id;
    INSERT INTO deal_stage_totals
    SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
           count(*), sum(d.value_minor * coalesce(d.recurring_months, 1)),
           sum(round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, NEW.probability) / 100.0)),
           sum(round(d.value_minor * coalesce(d.probability, NEW.probability) / 100.0))
    FROM deals d
    WHERE d.workspace_id = NEW.workspace_id AND d.stage_id = NEW.id AND d.deleted_at IS NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
    RETURN NULL;
END $$;

CREATE TRIGGER pipeline_stages_totals_reweighed AFTER UPDATE OF probability ON pipeline_stages FOR EACH ROW
    WHEN (OLD.probability IS DISTINCT FROM NEW.probability)
    EXECUTE FUNCTION rapport_deal_stage_totals_reweighed();

-- A stage is deleted once its deals have moved out; a workspace with everything in it.
CREATE FUNCTION rapport_deal_stage_totals_dropped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'workspaces' THEN
        DELETE FROM deal_stage_total_changes WHERE workspace_id = OLD.id;
        DELETE FROM deal_stage_totals WHERE workspace_id = OLD.id;
    ELSE
        DELETE FROM deal_stage_total_changes WHERE workspace_id = OLD.workspace_id AND stage_id = OLD.id;
        DELETE FROM deal_stage_totals WHERE workspace_id = OLD.workspace_id AND stage_id = OLD.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER pipeline_stages_totals_dropped AFTER DELETE ON pipeline_stages FOR EACH ROW
    EXECUTE FUNCTION rapport_deal_stage_totals_dropped();
CREATE TRIGGER workspaces_deal_stage_totals_dropped AFTER DELETE ON workspaces FOR EACH ROW
    EXECUTE FUNCTION rapport_deal_stage_totals_dropped();
