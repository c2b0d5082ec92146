//! The AI answer cache's rows (`llm_cache`, `llm_usage`), and stored assistant conversations and
//! their messages.

use crate::db::WorkspaceId;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::prelude::OptionalExtension;
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Bool, Bytea, Double, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::db::statement::Prepare;

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
pub async fn messages(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    conversation: Uuid,
) -> QueryResult<Vec<MessageRow>> {
    diesel::sql_query(
        "SELECT m.id, m.role, m.content, m.created_at FROM ai_messages m \
         JOIN ai_conversations c ON c.id = m.conversation_id AND c.workspace_id = $2 \
         WHERE m.conversation_id = $1 ORDER BY m.created_at, m.id",
    )
    .bind::<SqlUuid, _>(conversation)
    .bind::<SqlUuid, _>(workspace)
    .load(conn)
    .await
}

pub async fn conversation(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
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
    workspace: WorkspaceId,
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
    workspace: WorkspaceId,
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
    workspace: WorkspaceId,
    conversation: Uuid,
    role: &str,
    content: &str,
    cached: bool,
) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH m AS (INSERT INTO ai_messages (id, conversation_id, role, content, cached, created_at) \
         SELECT $1, c.id, $3, $4, $5, clock_timestamp() FROM ai_conversations c WHERE c.id = $2 AND c.workspace_id = $6 \
         RETURNING conversation_id) \
         UPDATE ai_conversations SET updated_at = clock_timestamp() WHERE id IN (SELECT conversation_id FROM m)",
    )
    .bind::<SqlUuid, _>(Uuid::now_v7())
    .bind::<SqlUuid, _>(conversation)
    .bind::<Text, _>(role)
    .bind::<Text, _>(content)
    .bind::<Bool, _>(cached)
    .bind::<SqlUuid, _>(workspace)
    .execute(conn)
    .await
}

// --- the answer cache ---

/// What identifies a cached answer and what is stored with it.
pub struct CacheEntry<'a> {
    pub key: &'a [u8],
    pub workspace: WorkspaceId,
    pub feature: &'a str,
    pub provider: &'a str,
    pub model: &'a str,
    pub prompt_version: &'a str,
    pub request: &'a Value,
    pub contact: Option<Uuid>,
}

/// The stored answer for a key (`None` while pending or absent). The key's hash covers the
/// workspace, so one key never answers another workspace.
pub async fn cached_response(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    key: &[u8],
) -> QueryResult<Option<Value>> {
    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = Nullable<Jsonb>)]
        response: Option<Value>,
    }
    let row: Option<Stored> = diesel::sql_query(
        "SELECT response FROM llm_cache WHERE key = $1 AND workspace_id = $2 AND response IS NOT NULL",
    )
    .bind::<Bytea, _>(key)
    .bind::<SqlUuid, _>(workspace)
    // Every cache hit runs it: kept prepared (one round trip, one plan per connection).
    .prepared()
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.and_then(|r| r.response))
}

/// The workspace's newest activity entry (its data's stamp, see [`crate::db::fresh`]) and the
/// stored answer for `key`, in one statement: a repeated question whose key is remembered checks
/// that nothing changed and reads the answer in one round trip.
pub async fn stamp_and_cached_response(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    key: &[u8],
) -> QueryResult<(Option<Uuid>, Option<Value>)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<SqlUuid>)]
        stamp: Option<Uuid>,
        #[diesel(sql_type = Nullable<Jsonb>)]
        response: Option<Value>,
    }
    let row: Row = diesel::sql_query(concat!(
        "SELECT (",
        crate::db::fresh::stamp_sql!(),
        ") AS stamp, (SELECT response FROM llm_cache WHERE key = $2 AND workspace_id = $1 AND response IS NOT NULL) AS response"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Bytea, _>(key)
    .prepared()
    .get_result(conn)
    .await?;
    Ok((row.stamp, row.response))
}

/// Adds hit counts and last-hit times to these keys, in one statement.
pub async fn add_hits(
    conn: &mut AsyncPgConnection,
    keys: &[Vec<u8>],
    counts: &[i64],
    times: &[DateTime<Utc>],
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE llm_cache c SET hit_count = c.hit_count + h.n, \
           last_hit_at = greatest(coalesce(c.last_hit_at, h.at), h.at) \
         FROM unnest($1::bytea[], $2::bigint[], $3::timestamptz[]) AS h(key, n, at) WHERE c.key = h.key",
    )
    .bind::<diesel::sql_types::Array<Bytea>, _>(keys)
    .bind::<diesel::sql_types::Array<BigInt>, _>(counts)
    .bind::<diesel::sql_types::Array<Timestamptz>, _>(times)
    .execute(conn)
    .await
}

/// Inserts a pending row for the key, or takes over a lapsed one; 1 when the claim is ours.
pub async fn claim(conn: &mut AsyncPgConnection, e: &CacheEntry<'_>, hold_secs: f64) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO llm_cache (key, workspace_id, feature, provider, model, prompt_version, request, \
                                created_at, pending_until, contact_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now() + make_interval(secs => $8), $9) \
         ON CONFLICT (key) DO UPDATE SET pending_until = EXCLUDED.pending_until \
         WHERE llm_cache.response IS NULL AND llm_cache.pending_until < now()",
    )
    .bind::<Bytea, _>(e.key)
    .bind::<SqlUuid, _>(e.workspace)
    .bind::<Text, _>(e.feature)
    .bind::<Text, _>(e.provider)
    .bind::<Text, _>(e.model)
    .bind::<Text, _>(e.prompt_version)
    .bind::<Jsonb, _>(e.request)
    .bind::<Double, _>(hold_secs)
    .bind::<Nullable<SqlUuid>, _>(e.contact)
    .execute(conn)
    .await
}

/// Stores a usable answer under its key (completing a claim, or replacing an older answer).
pub async fn save_answer(
    conn: &mut AsyncPgConnection,
    e: &CacheEntry<'_>,
    response: &Value,
    prompt_tokens: Option<i32>,
    completion_tokens: Option<i32>,
    latency_ms: i32,
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO llm_cache (key, workspace_id, feature, provider, model, prompt_version, request, response, \
                                prompt_tokens, completion_tokens, latency_ms, created_at, pending_until, contact_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), NULL, $12) \
         ON CONFLICT (key) DO UPDATE SET response = EXCLUDED.response, prompt_tokens = EXCLUDED.prompt_tokens, \
             contact_id = EXCLUDED.contact_id, \
             completion_tokens = EXCLUDED.completion_tokens, latency_ms = EXCLUDED.latency_ms, \
             created_at = now(), pending_until = NULL",
    )
    .bind::<Bytea, _>(e.key)
    .bind::<SqlUuid, _>(e.workspace)
    .bind::<Text, _>(e.feature)
    .bind::<Text, _>(e.provider)
    .bind::<Text, _>(e.model)
    .bind::<Text, _>(e.prompt_version)
    .bind::<Jsonb, _>(e.request)
    .bind::<Jsonb, _>(response)
    .bind::<Nullable<Integer>, _>(prompt_tokens)
    .bind::<Nullable<Integer>, _>(completion_tokens)
    .bind::<Integer, _>(latency_ms)
    .bind::<Nullable<SqlUuid>, _>(e.contact)
    .execute(conn)
    .await
}

/// Drops a pending claim (the call failed), so the next request tries again.
pub async fn release(conn: &mut AsyncPgConnection, workspace: WorkspaceId, key: &[u8]) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM llm_cache WHERE key = $1 AND workspace_id = $2 AND response IS NULL")
        .bind::<Bytea, _>(key)
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await
}

/// Adds one to the workspace's `misses` or `failures`.
pub async fn count_usage(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    column: &'static str,
) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "INSERT INTO llm_usage (workspace_id, {column}) VALUES ($1, 1) \
         ON CONFLICT (workspace_id) DO UPDATE SET {column} = llm_usage.{column} + 1"
    ))
    .bind::<SqlUuid, _>(workspace)
    .execute(conn)
    .await
}

#[derive(QueryableByName)]
pub struct StatsRow {
    #[diesel(sql_type = BigInt)]
    pub entries: i64,
    #[diesel(sql_type = BigInt)]
    pub hits: i64,
    #[diesel(sql_type = BigInt)]
    pub misses: i64,
    #[diesel(sql_type = BigInt)]
    pub failures: i64,
    #[diesel(sql_type = BigInt)]
    pub tokens_saved: i64,
}

pub async fn cache_stats(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<StatsRow> {
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM llm_cache WHERE workspace_id = $1 AND response IS NOT NULL)::bigint AS entries, \
                (SELECT coalesce(sum(hit_count), 0) FROM llm_cache WHERE workspace_id = $1)::bigint AS hits, \
                coalesce((SELECT misses FROM llm_usage WHERE workspace_id = $1), 0)::bigint AS misses, \
                coalesce((SELECT failures FROM llm_usage WHERE workspace_id = $1), 0)::bigint AS failures, \
                (SELECT coalesce(sum(hit_count * (coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0))), 0) \
                   FROM llm_cache WHERE workspace_id = $1)::bigint AS tokens_saved",
    )
    .bind::<SqlUuid, _>(workspace)
    .get_result(conn)
    .await
}

/// Forgets the workspace's stored answers and its counts; returns how many answers went.
pub async fn clear_cache(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<usize> {
    let n = diesel::sql_query("DELETE FROM llm_cache WHERE workspace_id = $1 AND response IS NOT NULL")
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await?;
    diesel::sql_query("DELETE FROM llm_usage WHERE workspace_id = $1")
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await?;
    Ok(n)
}
