DROP INDEX IF EXISTS contacts_due_idx;
DROP INDEX IF EXISTS companies_name_lower_trgm;
