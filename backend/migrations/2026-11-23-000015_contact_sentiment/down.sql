ALTER TABLE contacts DROP COLUMN last_sentiment;
