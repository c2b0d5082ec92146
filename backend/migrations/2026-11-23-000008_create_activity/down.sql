DROP TABLE activity;
DROP FUNCTION activity_is_append_only();
