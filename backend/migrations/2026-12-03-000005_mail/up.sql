-- Outgoing email: a workspace's SMTP server, and the delivery state of emails Rapport sends.

CREATE TABLE mail_settings (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    host text NOT NULL CHECK (char_length(host) BETWEEN 1 AND 253),
    port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    -- 'starttls' (upgrade required), 'tls' (TLS from the first byte) or 'none' (plain text).
    security text NOT NULL CHECK (security IN ('starttls', 'tls', 'none')),
    username text CHECK (char_length(username) <= 320),
    -- The SMTP password, sealed with SECRETS_KEY (AES-256-GCM: nonce, then ciphertext and tag).
    password bytea,
    from_address text NOT NULL CHECK (char_length(from_address) BETWEEN 3 AND 320),
    from_name text CHECK (char_length(from_name) <= 200),
    reply_to text CHECK (char_length(reply_to) <= 320),
    -- At most this many emails leave the workspace in 24 hours.
    daily_limit integer NOT NULL DEFAULT 500 CHECK (daily_limit BETWEEN 1 AND 100000),
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX mail_settings_updated_by_idx ON mail_settings (updated_by);

-- An email sent from Rapport is logged as an outbound email interaction: `external_ref` holds
-- its Message-ID (as for imported messages, so importing the sent message later adds nothing),
-- and these columns how its delivery went. NULL for interactions logged by hand or imported.
ALTER TABLE interactions
    ADD COLUMN delivery_status text CHECK (delivery_status IN ('queued', 'sent', 'failed')),
    ADD COLUMN delivery_error text CHECK (char_length(delivery_error) <= 1000);

