ALTER TABLE memberships DROP COLUMN onboarding_dismissed_at;
DROP TABLE demo_records;
