-- Contacts by last name first: search reads the people whose last name starts with the query
-- from this range in order and stops after the first few, as it reads first names from
-- contacts_name_idx, instead of first collecting every record matching the word from a GIN index.
CREATE INDEX contacts_name_reversed_idx ON contacts (workspace_id, lower(last_name || ' ' || first_name), id)
    WHERE deleted_at IS NULL;
