ALTER TABLE interactions DROP COLUMN delivery_error, DROP COLUMN delivery_status;
DROP TABLE mail_settings;
