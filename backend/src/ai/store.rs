//! Stored assistant conversations and their messages.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::prelude::OptionalExtension;
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Bool, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

type SqlUuid = diesel::sql_types::Uuid;

#[derive(QueryableByName)]
pub struct MessageRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub role: String,
    #[diesel(sql_type = Text)]
    pub content: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
pub struct ConversationRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub contact_id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
pub struct SummaryRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = BigInt)]
    pub messages: i64,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// A conversation's messages, oldest first (the conversation was found in its workspace first).
pub async fn messages(conn: &mut AsyncPgConnection, conversation: Uuid) -> QueryResult<Vec<MessageRow>> {
    diesel::sql_query(
        "SELECT id, role, content, created_at FROM ai_messages WHERE conversation_id = $1 ORDER BY created_at, id",
    )
    .bind::<SqlUuid, _>(conversation)
    .load(conn)
    .await
}

pub async fn conversation(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    id: Uuid,
) -> QueryResult<Option<ConversationRow>> {
    diesel::sql_query(
        "SELECT id, contact_id, title, created_at, updated_at FROM ai_conversations WHERE workspace_id = $1 AND id = $2",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()
}

/// The contact's 50 most recent conversations with their message counts.
pub async fn conversations_of(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    contact: Uuid,
) -> QueryResult<Vec<SummaryRow>> {
    diesel::sql_query(
        "SELECT c.id, c.title, count(m.id)::bigint AS messages, c.updated_at FROM ai_conversations c \
         LEFT JOIN ai_messages m ON m.conversation_id = c.id \
         WHERE c.workspace_id = $1 AND c.contact_id = $2 GROUP BY c.id ORDER BY c.updated_at DESC LIMIT 50",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(contact)
    .load(conn)
    .await
}

pub async fn insert_conversation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    workspace: Uuid,
    contact: Uuid,
    title: &str,
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO ai_conversations (id, workspace_id, contact_id, title, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, now(), now())",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(contact)
    .bind::<Text, _>(title)
    .execute(conn)
    .await
}

/// Adds a message and marks the conversation updated, in one statement.
pub async fn add_message(
    conn: &mut AsyncPgConnection,
    conversation: Uuid,
    role: &str,
    content: &str,
    cached: bool,
) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH m AS (INSERT INTO ai_messages (id, conversation_id, role, content, cached, created_at) \
         VALUES ($1, $2, $3, $4, $5, clock_timestamp()) RETURNING conversation_id) \
         UPDATE ai_conversations SET updated_at = clock_timestamp() WHERE id IN (SELECT conversation_id FROM m)",
    )
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<SqlUuid, _>(conversation)
    .bind::<Text, _>(role)
    .bind::<Text, _>(content)
    .bind::<Bool, _>(cached)
    .execute(conn)
    .await
}
