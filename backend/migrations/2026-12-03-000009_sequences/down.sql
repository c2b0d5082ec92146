DROP TRIGGER interactions_stop_sequences ON interactions;
DROP FUNCTION stop_sequences_on_reply();
DROP TABLE sequence_sends;
DROP TABLE sequence_enrollments;
DROP TABLE mail_unsubscribes;
DROP TABLE sequences;
ALTER TABLE contacts DROP COLUMN time_zone;
