DROP TRIGGER users_credentials_changed ON users;
DROP TRIGGER memberships_credentials_changed ON memberships;
DROP TRIGGER api_tokens_credentials_changed ON api_tokens;
DROP TRIGGER sessions_credentials_changed ON sessions;
DROP FUNCTION notify_credentials_changed();
