DROP INDEX IF EXISTS contacts_due_idx;
