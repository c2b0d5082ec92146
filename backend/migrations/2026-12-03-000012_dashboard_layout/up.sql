-- How a member arranged their dashboard in this workspace: the cards in order, which are shown,
-- and the period of its revenue and win rate. NULL: the default arrangement.
ALTER TABLE memberships ADD COLUMN dashboard_layout jsonb;
