-- Revenue as the dashboard and the revenue report count it, kept on write so that a period's
-- revenue per month and per source reads a few rows per month instead of every payment and won
-- deal of the period.
--
-- `revenue_entries` holds what each record contributes: a payment on the day it was received
-- (attributed to its deal's owner, or its contact's when it has no deal), and a won deal without
-- payments on the day it closed (UTC) and, for a retainer, on the same day of each following
-- month it runs (days still to come are kept and counted once they come). The source is the
-- contact's (`unknown` without one). Any write that can change a record's contribution — to the
-- payment, its deal or its contact (owner, source), the deal's first or last payment — deletes
-- the record's entries and writes them again from the records as they now are
-- (`rapport_revenue_refresh`), and appends the difference per month to `revenue_month_changes`.
-- A fold moves those rows into `revenue_month_totals` every few seconds
-- (`payments::store::fold_revenue_totals`); readers add both, and read the entries themselves
-- only for the partial months at the edges of a period and for one contact's revenue.
CREATE TABLE revenue_entries (
    workspace_id uuid NOT NULL,
    payment_id uuid,
    deal_id uuid,
    contact_id uuid,
    kind text NOT NULL CHECK (kind IN ('payment', 'deal')),
    day date NOT NULL,
    currency text NOT NULL,
    amount_minor bigint NOT NULL,
    owner_id uuid,
    source text NOT NULL
);
CREATE INDEX revenue_entries_payment_idx ON revenue_entries (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX revenue_entries_deal_idx ON revenue_entries (deal_id) WHERE kind = 'deal';
CREATE INDEX revenue_entries_day_idx ON revenue_entries (workspace_id, currency, day)
    INCLUDE (kind, amount_minor, owner_id, source);
CREATE INDEX revenue_entries_contact_idx ON revenue_entries (contact_id, day) WHERE contact_id IS NOT NULL;

CREATE TABLE revenue_month_totals (
    workspace_id uuid NOT NULL,
    currency text NOT NULL,
    month date NOT NULL,
    owner_id uuid,
    source text NOT NULL,
    kind text NOT NULL,
    amount_minor bigint NOT NULL,
    entries bigint NOT NULL,
    CONSTRAINT revenue_month_totals_key UNIQUE NULLS NOT DISTINCT
        (workspace_id, currency, month, owner_id, source, kind)
);

CREATE TABLE revenue_month_changes (
    workspace_id uuid NOT NULL,
    currency text NOT NULL,
    month date NOT NULL,
    owner_id uuid,
    source text NOT NULL,
    kind text NOT NULL,
    amount_minor bigint NOT NULL,
    entries bigint NOT NULL
);
CREATE INDEX revenue_month_changes_workspace_idx ON revenue_month_changes (workspace_id);

-- The entries of these payments and of these deals' own revenue, as the records now are.
CREATE FUNCTION rapport_revenue_of(pay uuid[], won uuid[])
RETURNS TABLE (workspace_id uuid, payment_id uuid, deal_id uuid, contact_id uuid, kind text, day date,
               currency text, amount_minor bigint, owner_id uuid, source text)
LANGUAGE sql STABLE AS $$
    SELECT p.workspace_id, p.id, p.deal_id, p.contact_id, 'payment', p.received_on, p.currency, p.amount_minor,
           CASE WHEN p.deal_id IS NOT NULL THEN (SELECT od.owner_id FROM deals od WHERE od.id = p.deal_id)
                ELSE c.owner_id END,
           coalesce(c.source, 'unknown')
    FROM payments p LEFT JOIN contacts c ON c.id = p.contact_id
    WHERE p.id = ANY (pay)
    UNION ALL
    SELECT d.workspace_id, NULL, d.id, d.contact_id, 'deal',
           ((d.closed_at AT TIME ZONE 'UTC')::date + make_interval(months => m.n))::date,
           d.currency, d.value_minor, d.owner_id, coalesce(c.source, 'unknown')
    FROM deals d
    LEFT JOIN contacts c ON c.id = d.contact_id
    CROSS JOIN LATERAL generate_series(0, coalesce(d.recurring_months, 1) - 1) AS m(n)
    WHERE d.id = ANY (won) AND d.status = 'won' AND d.deleted_at IS NULL AND d.closed_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.deal_id = d.id)
$$;

-- Writes these payments' and deals' entries again and appends the difference per month.
CREATE FUNCTION rapport_revenue_refresh(pay uuid[], won uuid[]) RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM revenue_entries e
        WHERE e.payment_id = ANY (pay) OR (e.kind = 'deal' AND e.deal_id = ANY (won))
        RETURNING e.workspace_id, e.currency, date_trunc('month', e.day)::date AS month, e.owner_id, e.source,
                  e.kind, -e.amount_minor AS amount_minor, -1 AS entries
    ), added AS (
        INSERT INTO revenue_entries SELECT * FROM rapport_revenue_of(pay, won)
        RETURNING workspace_id, currency, date_trunc('month', day)::date AS month, owner_id, source,
                  kind, amount_minor, 1 AS entries
    )
    INSERT INTO revenue_month_changes
    SELECT workspace_id, currency, month, owner_id, source, kind, sum(amount_minor), sum(entries)
    FROM (SELECT * FROM gone UNION ALL SELECT * FROM added) m
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(amount_minor) <> 0 OR sum(entries) <> 0
$$;

INSERT INTO revenue_entries
SELECT r.* FROM workspaces w
CROSS JOIN LATERAL rapport_revenue_of(
    ARRAY(SELECT id FROM payments WHERE workspace_id = w.id),
    ARRAY(SELECT id FROM deals WHERE workspace_id = w.id AND status = 'won')) r;

INSERT INTO revenue_month_totals
SELECT workspace_id, currency, date_trunc('month', day)::date, owner_id, source, kind, sum(amount_minor), count(*)
FROM revenue_entries
GROUP BY 1, 2, 3, 4, 5, 6;

-- Payments written: theirs, and their deals' own revenue (a deal's first payment replaces it,
-- its last one removed brings it back).
--
-- Entries are computed from the records as committed when the refresh starts, so writes that
-- could attribute the same revenue differently wait for each other first: the payments' deals
-- are locked (two payments of one deal removed at once must not both leave the deal without its
-- revenue; a deal's new owner waits too), then, in key order, the contacts whose source and
-- owner the entries copy, shared (a contact's new source or owner, which holds its row, goes
-- first or after, never beside). A contact's update takes no other lock, so no cycle forms.
CREATE FUNCTION rapport_revenue_payments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pay uuid[];
    won uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        pay := ARRAY(SELECT id FROM new_rows);
        won := ARRAY(SELECT DISTINCT deal_id FROM new_rows WHERE deal_id IS NOT NULL);
    ELSIF TG_OP = 'DELETE' THEN
        pay := ARRAY(SELECT id FROM old_rows);
        won := ARRAY(SELECT DISTINCT deal_id FROM old_rows WHERE deal_id IS NOT NULL);
    ELSE
        pay := ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows);
        won := ARRAY(SELECT deal_id FROM new_rows WHERE deal_id IS NOT NULL
                     UNION SELECT deal_id FROM old_rows WHERE deal_id IS NOT NULL);
    END IF;
    PERFORM 1 FROM deals WHERE id = ANY (won) ORDER BY id FOR NO KEY UPDATE;
    PERFORM 1 FROM contacts
    WHERE id IN (SELECT contact_id FROM payments WHERE id = ANY (pay)
                 UNION SELECT contact_id FROM deals WHERE id = ANY (won))
    ORDER BY id FOR SHARE;
    PERFORM rapport_revenue_refresh(pay, won);
    RETURN NULL;
END $$;

CREATE TRIGGER payments_revenue_inserted AFTER INSERT ON payments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_revenue_payments_changed();
CREATE TRIGGER payments_revenue_updated AFTER UPDATE ON payments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rapport_revenue_payments_changed();
CREATE TRIGGER payments_revenue_deleted AFTER DELETE ON payments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_revenue_payments_changed();

-- Deals written: a deal's own revenue when it is or was won, and its payments when its owner or
-- contact changed. Moves, notes and every other change leave revenue alone and cost one join.
CREATE FUNCTION rapport_revenue_deals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    won uuid[];
    owned uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        won := ARRAY(SELECT id FROM new_rows WHERE status = 'won');
        owned := '{}';
    ELSIF TG_OP = 'DELETE' THEN
        won := ARRAY(SELECT id FROM old_rows WHERE status = 'won');
        owned := '{}';
    ELSE
        won := ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.status = 'won' OR o.status = 'won')
              AND (n.status, n.closed_at, n.value_minor, n.currency, n.recurring_months, n.deleted_at,
                   n.owner_id, n.contact_id)
                  IS DISTINCT FROM
                  (o.status, o.closed_at, o.value_minor, o.currency, o.recurring_months, o.deleted_at,
                   o.owner_id, o.contact_id));
        owned := ARRAY(
            SELECT p.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            JOIN payments p ON p.deal_id = n.id
            WHERE n.owner_id IS DISTINCT FROM o.owner_id);
    END IF;
    IF cardinality(won) > 0 OR cardinality(owned) > 0 THEN
        -- The deals are held by this statement; their contacts' source is read once no change
        -- to it is in flight (see the payments' trigger).
        PERFORM 1 FROM contacts WHERE id IN (SELECT contact_id FROM deals WHERE id = ANY (won))
        ORDER BY id FOR SHARE;
        PERFORM rapport_revenue_refresh(owned, won);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER deals_revenue_inserted AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_revenue_deals_changed();
CREATE TRIGGER deals_revenue_updated AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rapport_revenue_deals_changed();
CREATE TRIGGER deals_revenue_deleted AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_revenue_deals_changed();

-- A contact's new source or owner: its payments and won deals are attributed again. Logging an
-- interaction and every other contact change cost one join of the statement's rows.
CREATE FUNCTION rapport_revenue_contacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved uuid[];
BEGIN
    moved := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE n.source IS DISTINCT FROM o.source OR n.owner_id IS DISTINCT FROM o.owner_id);
    IF cardinality(moved) > 0 THEN
        PERFORM rapport_revenue_refresh(
            ARRAY(SELECT p.id FROM payments p WHERE p.contact_id = ANY (moved)),
            ARRAY(SELECT d.id FROM deals d WHERE d.contact_id = ANY (moved) AND d.status = 'won'));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_revenue_updated AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rapport_revenue_contacts_changed();

-- A workspace removed with everything in it.
CREATE FUNCTION rapport_revenue_dropped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM revenue_entries WHERE workspace_id = OLD.id;
    DELETE FROM revenue_month_changes WHERE workspace_id = OLD.id;
    DELETE FROM revenue_month_totals WHERE workspace_id = OLD.id;
    RETURN NULL;
END $$;

CREATE TRIGGER workspaces_revenue_dropped AFTER DELETE ON workspaces FOR EACH ROW
    EXECUTE FUNCTION rapport_revenue_dropped();
