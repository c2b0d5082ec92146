-- Conversations with the sales assistant about one contact, kept so they can be listed and
-- continued.
CREATE TABLE ai_conversations (
    id uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    title text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ai_conversations_contact_idx ON ai_conversations (contact_id, updated_at DESC);
CREATE INDEX ai_conversations_workspace_idx ON ai_conversations (workspace_id);

CREATE TABLE ai_messages (
    id uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES ai_conversations (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('user', 'assistant')),
    content text NOT NULL,
    cached boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);
CREATE INDEX ai_messages_conversation_idx ON ai_messages (conversation_id, created_at, id);
