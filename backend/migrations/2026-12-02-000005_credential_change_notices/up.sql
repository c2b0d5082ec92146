-- Every change that can alter what a session cookie or an API token stands for is announced on
-- the channel `rapport_credentials`, so that each server instance can empty its in-process
-- credential cache at once. Last-use writes (sessions.last_seen_at, api_tokens.last_used_at)
-- are not announced: they change nothing a credential grants.
CREATE FUNCTION notify_credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rapport_credentials', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_credentials_changed
    AFTER DELETE OR UPDATE OF token_hash, user_id, workspace_id, expires_at ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed();

CREATE TRIGGER api_tokens_credentials_changed
    AFTER DELETE OR UPDATE OF token_hash, user_id, workspace_id, name, scope, expires_at, revoked_at ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed();

CREATE TRIGGER memberships_credentials_changed
    AFTER INSERT OR DELETE OR UPDATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed();

CREATE TRIGGER users_credentials_changed
    AFTER DELETE OR UPDATE OF display_name, password_hash ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_credentials_changed();

-- Deleting a workspace removes its memberships (and so its credentials' roles) by cascade,
-- which the memberships trigger announces.
