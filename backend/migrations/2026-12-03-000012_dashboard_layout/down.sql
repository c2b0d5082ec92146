ALTER TABLE memberships DROP COLUMN dashboard_layout;
