DROP INDEX IF EXISTS interactions_sentiment_idx;
ALTER TABLE contacts DROP COLUMN last_sentiment;
