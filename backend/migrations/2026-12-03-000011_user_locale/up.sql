-- The language a person chose for the web app; NULL follows the browser's.
ALTER TABLE users ADD COLUMN locale text CHECK (locale IN ('en', 'es', 'fr'));
