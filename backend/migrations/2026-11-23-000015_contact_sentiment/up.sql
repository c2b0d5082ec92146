-- The sentiment of a contact's most recent analysed interaction, kept with the contact (like
-- last_interaction_at) so lists can show it without a query per row.
ALTER TABLE contacts ADD COLUMN last_sentiment text CHECK (last_sentiment IN ('positive', 'neutral', 'negative'));
UPDATE contacts c SET last_sentiment = s.label
FROM (SELECT DISTINCT ON (contact_id) contact_id, sentiment_label AS label FROM interactions
      WHERE sentiment_label IS NOT NULL AND occurred_at <= now()
      ORDER BY contact_id, occurred_at DESC, id DESC) s
WHERE s.contact_id = c.id;
-- The latest interaction that has a sentiment, per contact, without reading those that have none.
CREATE INDEX interactions_sentiment_idx ON interactions (contact_id, occurred_at DESC, id DESC)
    WHERE sentiment_label IS NOT NULL;
