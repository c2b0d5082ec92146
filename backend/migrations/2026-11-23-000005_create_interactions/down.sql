UPDATE workspaces SET settings = settings - 'timezone' - 'overdue_after_days' - 'follow_up_cadence_days';
DROP TABLE interactions;
