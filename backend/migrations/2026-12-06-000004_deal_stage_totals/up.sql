-- How far each deal got in its pipeline — the furthest stage it entered, won past every open
-- stage, lost stages not counted — kept on the deal, so stage-to-stage conversion sums the kept
-- deal totals below (it is one of their keys) instead of reading every deal's stage
-- history. A move sets it when the new stage is further; stage history written for a deal
-- (a restored workspace) raises it; reordering, re-kinding or deleting stages recomputes the
-- pipeline's deals from their history.
ALTER TABLE deals ADD COLUMN furthest_stage_id uuid;

-- A stage's place in the order: won past every open stage; lost stages do not count (null).
CREATE FUNCTION rapport_stage_rank(kind text, pos integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind WHEN 'won' THEN 1000000 WHEN 'lost' THEN NULL ELSE pos END
$$;

-- The furthest stage of a deal's history in its pipeline, and its current stage.
CREATE FUNCTION rapport_deal_furthest(deal uuid, pipeline uuid, current_stage uuid) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT s.id FROM pipeline_stages s
    WHERE s.pipeline_id = pipeline AND rapport_stage_rank(s.kind, s.position) IS NOT NULL
      AND (s.id = current_stage
           OR s.id IN (SELECT h.to_stage_id FROM deal_stage_history h WHERE h.deal_id = deal))
    ORDER BY rapport_stage_rank(s.kind, s.position) DESC, s.id
    LIMIT 1
$$;

UPDATE deals d SET furthest_stage_id = (
    SELECT s.id FROM deal_stage_history h JOIN pipeline_stages s ON s.id = h.to_stage_id
    WHERE h.deal_id = d.id AND s.pipeline_id = d.pipeline_id AND s.kind <> 'lost'
    ORDER BY rapport_stage_rank(s.kind, s.position) DESC, s.id LIMIT 1);

CREATE FUNCTION rapport_deal_furthest_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_rank integer;
    old_rank integer;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.pipeline_id IS DISTINCT FROM OLD.pipeline_id THEN
        NEW.furthest_stage_id := rapport_deal_furthest(NEW.id, NEW.pipeline_id, NEW.stage_id);
    ELSIF TG_OP = 'INSERT' OR NEW.stage_id IS DISTINCT FROM OLD.stage_id THEN
        SELECT rapport_stage_rank(kind, position) INTO new_rank FROM pipeline_stages WHERE id = NEW.stage_id;
        IF new_rank IS NOT NULL THEN
            IF NEW.furthest_stage_id IS NOT NULL THEN
                SELECT rapport_stage_rank(kind, position) INTO old_rank
                FROM pipeline_stages WHERE id = NEW.furthest_stage_id AND pipeline_id = NEW.pipeline_id;
            END IF;
            IF old_rank IS NULL OR new_rank > old_rank THEN
                NEW.furthest_stage_id := NEW.stage_id;
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER deals_furthest_moved BEFORE INSERT OR UPDATE OF stage_id, pipeline_id ON deals
    FOR EACH ROW EXECUTE FUNCTION rapport_deal_furthest_moved();

-- History written for deals (a move writes its own, already counted by the trigger above; a
-- restored workspace writes a deal's whole history after the deal) raises their furthest stage.
CREATE FUNCTION rapport_deal_furthest_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH best AS (
        SELECT DISTINCT ON (n.deal_id) n.deal_id, s.id AS stage_id, rapport_stage_rank(s.kind, s.position) AS rank
        FROM new_rows n JOIN deals d ON d.id = n.deal_id
        JOIN pipeline_stages s ON s.id = n.to_stage_id AND s.pipeline_id = d.pipeline_id AND s.kind <> 'lost'
        ORDER BY n.deal_id, rapport_stage_rank(s.kind, s.position) DESC, s.id
    )
    UPDATE deals d SET furthest_stage_id = b.stage_id
    FROM best b
    WHERE d.id = b.deal_id AND d.furthest_stage_id IS DISTINCT FROM b.stage_id
      AND (d.furthest_stage_id IS NULL
           OR b.rank > coalesce((SELECT rapport_stage_rank(f.kind, f.position) FROM pipeline_stages f
                                 WHERE f.id = d.furthest_stage_id AND f.pipeline_id = d.pipeline_id), -1));
    RETURN NULL;
END $$;

CREATE TRIGGER deal_stage_history_furthest AFTER INSERT ON deal_stage_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_deal_furthest_recorded();

-- Stages reordered, given another kind or deleted: their pipelines' deals are recomputed.
CREATE FUNCTION rapport_deal_furthest_restaged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE deals d SET furthest_stage_id = rapport_deal_furthest(d.id, d.pipeline_id, d.stage_id)
        WHERE d.pipeline_id IN (SELECT DISTINCT pipeline_id FROM old_rows)
          AND d.furthest_stage_id IS DISTINCT FROM rapport_deal_furthest(d.id, d.pipeline_id, d.stage_id);
    ELSE
        UPDATE deals d SET furthest_stage_id = rapport_deal_furthest(d.id, d.pipeline_id, d.stage_id)
        WHERE d.pipeline_id IN (
                SELECT n.pipeline_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.position IS DISTINCT FROM o.position OR n.kind IS DISTINCT FROM o.kind)
          AND d.furthest_stage_id IS DISTINCT FROM rapport_deal_furthest(d.id, d.pipeline_id, d.stage_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER pipeline_stages_furthest_restaged AFTER UPDATE ON pipeline_stages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rapport_deal_furthest_restaged();
CREATE TRIGGER pipeline_stages_furthest_dropped AFTER DELETE ON pipeline_stages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rapport_deal_furthest_restaged();

-- Open and closed deals summed per stage, owner, currency, status, expected month of closing,
-- number of months (1, or a retainer's) and the furthest stage reached: the board's column totals
-- and the dashboard's pipeline values, forecast and stage-to-stage conversion read these rows — a
-- few per stage — instead of every deal and its stage history. Kept like the follow-up
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
    furthest_stage_id uuid,
    deals bigint NOT NULL,
    value_minor bigint NOT NULL,
    weighted_minor bigint NOT NULL,
    weighted_month_minor bigint NOT NULL,
    CONSTRAINT deal_stage_totals_key UNIQUE NULLS NOT DISTINCT
        (workspace_id, stage_id, owner_id, currency, status, expected_month, months, furthest_stage_id)
);

CREATE TABLE deal_stage_total_changes (
    workspace_id uuid NOT NULL,
    stage_id uuid NOT NULL,
    owner_id uuid,
    currency text NOT NULL,
    status text NOT NULL,
    expected_month date,
    months integer NOT NULL,
    furthest_stage_id uuid,
    deals bigint NOT NULL,
    value_minor bigint NOT NULL,
    weighted_minor bigint NOT NULL,
    weighted_month_minor bigint NOT NULL
);
CREATE INDEX deal_stage_total_changes_workspace_idx ON deal_stage_total_changes (workspace_id);

-- Open deals per day their stage last changed, won and lost deals per day they closed (UTC days),
-- per owner, with the won deals' days to win: the dashboard's won and lost counts, average days
-- to win and stalled count sum these rows over the whole days of a period and count only the
-- deals of its partial first and last days one by one.
CREATE TABLE deal_day_totals (
    workspace_id uuid NOT NULL,
    owner_id uuid,
    status text NOT NULL,
    day date NOT NULL,
    deals bigint NOT NULL,
    days_to_win numeric NOT NULL,
    CONSTRAINT deal_day_totals_key UNIQUE NULLS NOT DISTINCT (workspace_id, owner_id, status, day)
);

CREATE TABLE deal_day_total_changes (
    workspace_id uuid NOT NULL,
    owner_id uuid,
    status text NOT NULL,
    day date NOT NULL,
    deals bigint NOT NULL,
    days_to_win numeric NOT NULL
);
CREATE INDEX deal_day_total_changes_workspace_idx ON deal_day_total_changes (workspace_id);

-- The day a deal counts on (null: a closed deal without its closing time is not counted).
CREATE FUNCTION rapport_deal_day(status text, stage_changed_at timestamptz, closed_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'open' THEN (stage_changed_at AT TIME ZONE 'UTC')::date
                ELSE (closed_at AT TIME ZONE 'UTC')::date END
$$;

-- A won deal's days from creation to closing (0 for the others).
CREATE FUNCTION rapport_days_to_win(status text, created_at timestamptz, closed_at timestamptz) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'won' AND closed_at IS NOT NULL
                THEN extract(epoch FROM closed_at - created_at) / 86400.0 ELSE 0 END
$$;

INSERT INTO deal_day_totals
SELECT workspace_id, owner_id, status, rapport_deal_day(status, stage_changed_at, closed_at),
       count(*), sum(rapport_days_to_win(status, created_at, closed_at))
FROM deals
WHERE deleted_at IS NULL AND rapport_deal_day(status, stage_changed_at, closed_at) IS NOT NULL
GROUP BY 1, 2, 3, 4;

INSERT INTO deal_stage_totals
SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
       d.furthest_stage_id,
       count(*), sum(d.value_minor * coalesce(d.recurring_months, 1)),
       sum(round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0)),
       sum(round(d.value_minor * coalesce(d.probability, s.probability) / 100.0))
FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id
WHERE d.deleted_at IS NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

-- One function for the three triggers: what the old rows (if any) took away and the new rows
-- (if any) added, per key; keys that even out are not written.
CREATE FUNCTION rapport_deal_stage_totals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ws uuid;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR ws IN SELECT DISTINCT workspace_id FROM new_rows ORDER BY 1 LOOP
            PERFORM rapport_totals_lock('deal_stage_totals', ws, false);
        END LOOP;
        INSERT INTO deal_stage_total_changes
        SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
       d.furthest_stage_id,
               count(*), sum(d.value_minor * coalesce(d.recurring_months, 1)),
               sum(round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0)),
               sum(round(d.value_minor * coalesce(d.probability, s.probability) / 100.0))
        FROM new_rows d JOIN pipeline_stages s ON s.id = d.stage_id
        WHERE d.deleted_at IS NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
    ELSIF TG_OP = 'DELETE' THEN
        FOR ws IN SELECT DISTINCT workspace_id FROM old_rows ORDER BY 1 LOOP
            PERFORM rapport_totals_lock('deal_stage_totals', ws, false);
        END LOOP;
        INSERT INTO deal_stage_total_changes
        SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
       d.furthest_stage_id,
               -count(*), -sum(d.value_minor * coalesce(d.recurring_months, 1)),
               -sum(round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0)),
               -sum(round(d.value_minor * coalesce(d.probability, s.probability) / 100.0))
        FROM old_rows d JOIN pipeline_stages s ON s.id = d.stage_id
        WHERE d.deleted_at IS NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
    ELSE
        FOR ws IN SELECT DISTINCT workspace_id FROM new_rows ORDER BY 1 LOOP
            PERFORM rapport_totals_lock('deal_stage_totals', ws, false);
        END LOOP;
        WITH moves AS (
            SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status,
                   date_trunc('month', d.expected_close_date)::date AS expected_month,
                   coalesce(d.recurring_months, 1) AS months, d.furthest_stage_id, -1 AS deals,
                   -(d.value_minor * coalesce(d.recurring_months, 1)) AS value_minor,
                   -round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0) AS weighted_minor,
                   -round(d.value_minor * coalesce(d.probability, s.probability) / 100.0) AS weighted_month_minor
            FROM old_rows d JOIN pipeline_stages s ON s.id = d.stage_id
            WHERE d.deleted_at IS NULL
            UNION ALL
            SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status,
                   date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
                   d.furthest_stage_id, 1,
                   d.value_minor * coalesce(d.recurring_months, 1),
                   round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, s.probability) / 100.0),
                   round(d.value_minor * coalesce(d.probability, s.probability) / 100.0)
            FROM new_rows d JOIN pipeline_stages s ON s.id = d.stage_id
            WHERE d.deleted_at IS NULL
        )
        INSERT INTO deal_stage_total_changes
        SELECT workspace_id, stage_id, owner_id, currency, status, expected_month, months, furthest_stage_id,
               sum(deals), sum(value_minor), sum(weighted_minor), sum(weighted_month_minor)
        FROM moves
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(deals) <> 0 OR sum(value_minor) <> 0 OR sum(weighted_minor) <> 0 OR sum(weighted_month_minor) <> 0;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO deal_day_total_changes
        SELECT workspace_id, owner_id, status, rapport_deal_day(status, stage_changed_at, closed_at),
               count(*), sum(rapport_days_to_win(status, created_at, closed_at))
        FROM new_rows
        WHERE deleted_at IS NULL AND rapport_deal_day(status, stage_changed_at, closed_at) IS NOT NULL
        GROUP BY 1, 2, 3, 4;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO deal_day_total_changes
        SELECT workspace_id, owner_id, status, rapport_deal_day(status, stage_changed_at, closed_at),
               -count(*), -sum(rapport_days_to_win(status, created_at, closed_at))
        FROM old_rows
        WHERE deleted_at IS NULL AND rapport_deal_day(status, stage_changed_at, closed_at) IS NOT NULL
        GROUP BY 1, 2, 3, 4;
    ELSE
        WITH moves AS (
            SELECT workspace_id, owner_id, status, rapport_deal_day(status, stage_changed_at, closed_at) AS day,
                   -1 AS deals, -rapport_days_to_win(status, created_at, closed_at) AS days_to_win
            FROM old_rows WHERE deleted_at IS NULL
            UNION ALL
            SELECT workspace_id, owner_id, status, rapport_deal_day(status, stage_changed_at, closed_at),
                   1, rapport_days_to_win(status, created_at, closed_at)
            FROM new_rows WHERE deleted_at IS NULL
        )
        INSERT INTO deal_day_total_changes
        SELECT workspace_id, owner_id, status, day, sum(deals), sum(days_to_win)
        FROM moves WHERE day IS NOT NULL
        GROUP BY 1, 2, 3, 4
        HAVING sum(deals) <> 0 OR sum(days_to_win) <> 0;
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
    PERFORM rapport_totals_lock('deal_stage_totals', NEW.workspace_id, true);
    DELETE FROM deal_stage_total_changes WHERE workspace_id = NEW.workspace_id AND stage_id = NEW.id;
    DELETE FROM deal_stage_totals WHERE workspace_id = NEW.workspace_id AND stage_id = NEW.id;
    INSERT INTO deal_stage_totals
    SELECT d.workspace_id, d.stage_id, d.owner_id, d.currency, d.status, date_trunc('month', d.expected_close_date)::date, coalesce(d.recurring_months, 1),
       d.furthest_stage_id,
           count(*), sum(d.value_minor * coalesce(d.recurring_months, 1)),
           sum(round(d.value_minor * coalesce(d.recurring_months, 1) * coalesce(d.probability, NEW.probability) / 100.0)),
           sum(round(d.value_minor * coalesce(d.probability, NEW.probability) / 100.0))
    FROM deals d
    WHERE d.workspace_id = NEW.workspace_id AND d.stage_id = NEW.id AND d.deleted_at IS NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
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
        DELETE FROM deal_day_total_changes WHERE workspace_id = OLD.id;
        DELETE FROM deal_day_totals WHERE workspace_id = OLD.id;
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
