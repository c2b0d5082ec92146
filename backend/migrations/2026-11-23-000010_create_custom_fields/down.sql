DROP INDEX companies_custom_fields_gin;
DROP INDEX contacts_custom_fields_gin;
ALTER TABLE companies DROP COLUMN custom_fields;
DROP TABLE custom_field_definitions;
