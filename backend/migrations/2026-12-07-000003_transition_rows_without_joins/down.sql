-- Back to joining a statement's old rows to its new rows.

CREATE OR REPLACE FUNCTION rapport_revenue_deals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION rapport_revenue_contacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
