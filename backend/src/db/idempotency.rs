//! Storage of idempotency keys (see `http::idempotency`).

use super::WorkspaceId;
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Jsonb, Nullable, SmallInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

pub enum Claim {
    /// This request owns the key now (until its transaction ends).
    Claimed,
    /// An earlier request with this key completed.
    Done {
        fingerprint: Vec<u8>,
        status: u16,
        body: serde_json::Value,
        location: String,
    },
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Bytea)]
    fingerprint: Vec<u8>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    status: Option<i16>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    response: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<Text>)]
    location: Option<String>,
}

/// Claims a key. A concurrent transaction holding the same key makes this wait until it ends;
/// then the key is either completed (replay) or free again (claimed here).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    key: &str,
    fingerprint: &[u8],
) -> QueryResult<Claim> {
    let inserted = diesel::sql_query(
        "INSERT INTO idempotency_keys (workspace_id, key, fingerprint) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(key)
    .bind::<Bytea, _>(fingerprint)
    .execute(conn)
    .await?;
    if inserted == 1 {
        return Ok(Claim::Claimed);
    }
    let stored: Stored = diesel::sql_query(
        "SELECT fingerprint, status, response, location FROM idempotency_keys WHERE workspace_id = $1 AND key = $2",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(key)
    .get_result(conn)
    .await?;
    Ok(Claim::Done {
        fingerprint: stored.fingerprint,
        status: stored.status.unwrap_or(201) as u16,
        body: stored.response.unwrap_or_default(),
        location: stored.location.unwrap_or_default(),
    })
}

pub async fn complete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    key: &str,
    status: u16,
    body: &serde_json::Value,
    location: &str,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE idempotency_keys SET status = $3, response = $4, location = $5 WHERE workspace_id = $1 AND key = $2",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(key)
    .bind::<SmallInt, _>(status as i16)
    .bind::<Jsonb, _>(body)
    .bind::<Text, _>(location)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets keys older than a day; returns how many.
pub async fn purge_expired(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'")
        .execute(conn)
        .await
}
