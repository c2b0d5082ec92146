//! Webhook rows, their deliveries, and the outbox reading that turns history entries into
//! deliveries.

use crate::activity::message::Message;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::DeliveryStatus;
use crate::activity::service::{Action, Entity};
use crate::db::WorkspaceId;
use crate::db::schema::{outbox_cursors, webhook_deliveries, webhooks};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks, check_for_backend(Pg))]
pub struct WebhookRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub secret: Vec<u8>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChangeset {
    pub url: Option<String>,
    pub description: Option<String>,
    pub events: Option<Vec<String>>,
    pub secret: Option<Vec<u8>>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub disabled_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(Pg))]
pub struct DeliveryRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub webhook_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub entity_id: Option<Uuid>,
    pub event_txid: i64,
    pub payload: serde_json::Value,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub response_status: Option<i32>,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    pub duration_ms: Option<i32>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub give_up_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &WebhookRow) -> QueryResult<WebhookRow> {
    diesel::insert_into(webhooks::table)
        .values(row)
        .returning(WebhookRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(workspace))
        .order((webhooks::created_at, webhooks::id))
        .select(WebhookRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<WebhookRow>> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(workspace).and(webhooks::id.eq(id)))
        .select(WebhookRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn count(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<i64> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(workspace))
        .count()
        .get_result(conn)
        .await
}

crate::versioned_writes!(webhooks, WebhookRow, WebhookChangeset);

/// Turns a webhook off because its deliveries kept failing; `false` when it was off already.
pub async fn disable(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        webhooks::table
            .filter(webhooks::workspace_id.eq(workspace))
            .filter(webhooks::id.eq(id))
            .filter(webhooks::enabled),
    )
    .set((
        webhooks::enabled.eq(false),
        webhooks::disabled_reason.eq(Some(reason)),
        webhooks::disabled_at.eq(Some(now)),
        webhooks::version.eq(webhooks::version + 1),
        webhooks::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

// --- The outbox -------------------------------------------------------------------------------

/// Where the reader `name` has got to, locked for this transaction; `None` while another
/// instance holds it (that instance is dispatching).
pub async fn lock_cursor(conn: &mut AsyncPgConnection, name: &str) -> QueryResult<Option<(i64, Uuid)>> {
    outbox_cursors::table
        .filter(outbox_cursors::name.eq(name))
        .select((outbox_cursors::txid, outbox_cursors::last_id))
        .for_update()
        .skip_locked()
        .first(conn)
        .await
        .optional()
}

pub async fn advance_cursor(conn: &mut AsyncPgConnection, name: &str, txid: i64, id: Uuid) -> QueryResult<usize> {
    diesel::update(outbox_cursors::table.filter(outbox_cursors::name.eq(name)))
        .set((outbox_cursors::txid.eq(txid), outbox_cursors::last_id.eq(id)))
        .execute(conn)
        .await
}

/// A history entry read from the outbox.
#[derive(Debug, Clone, QueryableByName)]
pub struct OutboxEntry {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub txid: i64,
    #[diesel(sql_type = SqlUuid)]
    pub workspace_id: WorkspaceId,
    #[diesel(sql_type = Text)]
    pub entity: Entity,
    #[diesel(sql_type = SqlUuid)]
    pub entity_id: Uuid,
    #[diesel(sql_type = Text)]
    pub action: Action,
    #[diesel(sql_type = Text)]
    pub summary: String,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    pub fields: Vec<String>,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor_name: Option<String>,
    /// For `merged` and `unmerged` entries: the merge's surviving and merged records.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub survivor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub merged_id: Option<Uuid>,
    /// The contact the entry concerns, if any.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub contact_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub message: Option<Message>,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub params: serde_json::Value,
}

/// The next entries after (txid, id), in transaction order, of transactions that have all ended
/// (older than the oldest one still running): an entry can never appear later behind the
/// position a reader has passed. `workspace` narrows to one workspace (the live event stream).
pub async fn outbox_after(
    conn: &mut AsyncPgConnection,
    workspace: Option<WorkspaceId>,
    after: (i64, Uuid),
    limit: i64,
) -> QueryResult<Vec<OutboxEntry>> {
    diesel::sql_query(
        "SELECT a.id, a.txid, a.workspace_id, a.entity, a.entity_id, a.action, a.summary, a.fields, \
                a.occurred_at, a.actor_id, a.actor_name, m.survivor_id, m.merged_id, a.contact_id, \
                a.message, a.params \
         FROM activity a LEFT JOIN merges m ON m.id = a.merge_id \
         WHERE a.txid IS NOT NULL AND (a.txid, a.id) > ($1, $2) \
           AND a.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
           AND ($4::uuid IS NULL OR a.workspace_id = $4) \
         ORDER BY a.txid, a.id LIMIT $3",
    )
    .bind::<BigInt, _>(after.0)
    .bind::<SqlUuid, _>(after.1)
    .bind::<BigInt, _>(limit)
    .bind::<Nullable<SqlUuid>, _>(workspace)
    .load(conn)
    .await
}

/// The position of the last entry a reader of the outbox may read now (of a transaction older
/// than every one still running); `None` while it is empty.
pub async fn outbox_head(conn: &mut AsyncPgConnection) -> QueryResult<Option<(i64, Uuid)>> {
    #[derive(QueryableByName)]
    struct Head {
        #[diesel(sql_type = BigInt)]
        txid: i64,
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let head: Option<Head> = diesel::sql_query(
        "SELECT a.txid, a.id FROM activity a \
         WHERE a.txid IS NOT NULL AND a.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
         ORDER BY a.txid DESC, a.id DESC LIMIT 1",
    )
    .get_result(conn)
    .await
    .optional()?;
    Ok(head.map(|h| (h.txid, h.id)))
}

/// Whether any workspace has an enabled webhook (else the dispatcher has nothing to do).
pub async fn any_enabled(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(webhooks::table.filter(webhooks::enabled)))
        .get_result(conn)
        .await
}

/// The enabled webhooks of these workspaces (those with events to dispatch).
pub async fn enabled_in(conn: &mut AsyncPgConnection, workspaces: &[WorkspaceId]) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .filter(webhooks::workspace_id.eq_any(workspaces))
        .filter(webhooks::enabled)
        .select(WebhookRow::as_select())
        .load(conn)
        .await
}

// --- Deliveries -------------------------------------------------------------------------------

/// Writes deliveries (one statement); a delivery of an event to a webhook that exists already
/// is left as it is.
pub async fn insert_deliveries(conn: &mut AsyncPgConnection, rows: &[DeliveryRow]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(webhook_deliveries::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

pub async fn delivery(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::workspace_id.eq(workspace))
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// These deliveries of a workspace with their webhooks (`None` for one deleted since), in the
/// order their events happened.
pub async fn deliveries_with_hooks(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<(DeliveryRow, Option<WebhookRow>)>> {
    webhook_deliveries::table
        .left_join(
            webhooks::table.on(webhooks::id
                .eq(webhook_deliveries::webhook_id)
                .and(webhooks::workspace_id.eq(webhook_deliveries::workspace_id))),
        )
        .filter(webhook_deliveries::workspace_id.eq(workspace))
        .filter(webhook_deliveries::id.eq_any(ids))
        .order((webhook_deliveries::event_txid, webhook_deliveries::event_id))
        .select((DeliveryRow::as_select(), Option::<WebhookRow>::as_select()))
        .load(conn)
        .await
}

/// A webhook's deliveries, newest first, after the cursor's (created_at, id).
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    webhook: Uuid,
    status: Option<DeliveryStatus>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::workspace_id.eq(workspace))
        .filter(webhook_deliveries::webhook_id.eq(webhook))
        .select(DeliveryRow::as_select())
        .order((webhook_deliveries::created_at.desc(), webhook_deliveries::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(status));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            webhook_deliveries::created_at
                .lt(at)
                .or(webhook_deliveries::created_at.eq(at).and(webhook_deliveries::id.lt(id))),
        );
    }
    query.load(conn).await
}

/// The earliest pending delivery of the same record to the same webhook that comes before this
/// one: this one waits for it.
pub async fn earlier_pending(conn: &mut AsyncPgConnection, row: &DeliveryRow) -> QueryResult<Option<DeliveryRow>> {
    let Some(entity) = row.entity_id else {
        return Ok(None);
    };
    diesel::sql_query(
        "SELECT * FROM webhook_deliveries \
         WHERE workspace_id = $1 AND webhook_id = $2 AND entity_id = $3 AND status = 'pending' \
           AND (event_txid, event_id) < ($4, $5) \
         ORDER BY event_txid, event_id LIMIT 1",
    )
    .bind::<SqlUuid, _>(row.workspace_id)
    .bind::<SqlUuid, _>(row.webhook_id)
    .bind::<SqlUuid, _>(entity)
    .bind::<BigInt, _>(row.event_txid)
    .bind::<SqlUuid, _>(row.event_id)
    .get_result(conn)
    .await
    .optional()
}

/// Of these deliveries (ids of the workspace), those that must wait for an earlier pending
/// delivery of the same record to the same webhook that is not among them, with the time that
/// one is next attempted (`None`: now).
pub async fn blocked_among(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, Option<DateTime<Utc>>)>> {
    #[derive(QueryableByName)]
    struct Blocked {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Nullable<Timestamptz>)]
        next_attempt_at: Option<DateTime<Utc>>,
    }
    let rows: Vec<Blocked> = diesel::sql_query(
        "SELECT d.id, e.next_attempt_at FROM webhook_deliveries d \
         CROSS JOIN LATERAL (SELECT e.next_attempt_at FROM webhook_deliveries e \
             WHERE e.workspace_id = d.workspace_id AND e.webhook_id = d.webhook_id \
               AND e.entity_id = d.entity_id AND e.status = 'pending' \
               AND (e.event_txid, e.event_id) < (d.event_txid, d.event_id) AND e.id <> ALL($2) \
             ORDER BY e.event_txid, e.event_id LIMIT 1) e \
         WHERE d.workspace_id = $1 AND d.id = ANY($2) AND d.entity_id IS NOT NULL",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|b| (b.id, b.next_attempt_at)).collect())
}

/// Records the attempts of several pending deliveries of a workspace in one statement (those no
/// longer pending are left alone); how many were recorded.
pub async fn record_attempts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    attempts: &[(Uuid, Attempt<'_>)],
) -> QueryResult<usize> {
    if attempts.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = attempts.iter().map(|(id, _)| *id).collect();
    let status: Vec<String> = attempts.iter().map(|(_, a)| a.status.as_str().to_owned()).collect();
    let code: Vec<Option<i32>> = attempts.iter().map(|(_, a)| a.response_status).collect();
    let excerpt: Vec<Option<&str>> = attempts.iter().map(|(_, a)| a.response_excerpt).collect();
    let error: Vec<Option<&str>> = attempts.iter().map(|(_, a)| a.error).collect();
    let took: Vec<i32> = attempts.iter().map(|(_, a)| a.duration_ms).collect();
    let at: Vec<DateTime<Utc>> = attempts.iter().map(|(_, a)| a.at).collect();
    let next: Vec<Option<DateTime<Utc>>> = attempts.iter().map(|(_, a)| a.next_attempt_at).collect();
    diesel::sql_query(
        "UPDATE webhook_deliveries d SET status = v.status, attempts = d.attempts + 1, \
             response_status = v.code, response_excerpt = v.excerpt, error = v.error, \
             duration_ms = v.took, last_attempt_at = v.at, next_attempt_at = v.next, \
             delivered_at = CASE WHEN v.status = 'delivered' THEN v.at END \
         FROM unnest($2::uuid[], $3::text[], $4::int4[], $5::text[], $6::text[], $7::int4[], \
                     $8::timestamptz[], $9::timestamptz[]) \
             AS v(id, status, code, excerpt, error, took, at, next) \
         WHERE d.workspace_id = $1 AND d.id = v.id AND d.status = 'pending'",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<Text>, _>(status)
    .bind::<Array<Nullable<Integer>>, _>(code)
    .bind::<Array<Nullable<Text>>, _>(excerpt)
    .bind::<Array<Nullable<Text>>, _>(error)
    .bind::<Array<Integer>, _>(took)
    .bind::<Array<Timestamptz>, _>(at)
    .bind::<Array<Nullable<Timestamptz>>, _>(next)
    .execute(conn)
    .await
}

/// What one attempt found.
pub struct Attempt<'a> {
    pub status: DeliveryStatus,
    pub response_status: Option<i32>,
    pub response_excerpt: Option<&'a str>,
    pub error: Option<&'a str>,
    pub duration_ms: i32,
    pub at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// Records an attempt on a pending delivery; `None` when it is no longer pending (another
/// worker recorded it).
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    row: &DeliveryRow,
    attempt: &Attempt<'_>,
) -> QueryResult<Option<DeliveryRow>> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::workspace_id.eq(row.workspace_id))
            .filter(webhook_deliveries::id.eq(row.id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending)),
    )
    .set((
        webhook_deliveries::status.eq(attempt.status),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::response_status.eq(attempt.response_status),
        webhook_deliveries::response_excerpt.eq(attempt.response_excerpt),
        webhook_deliveries::error.eq(attempt.error),
        webhook_deliveries::duration_ms.eq(Some(attempt.duration_ms)),
        webhook_deliveries::last_attempt_at.eq(Some(attempt.at)),
        webhook_deliveries::next_attempt_at.eq(attempt.next_attempt_at),
        webhook_deliveries::delivered_at.eq((attempt.status == DeliveryStatus::Delivered).then_some(attempt.at)),
    ))
    .returning(DeliveryRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Makes a finished delivery pending again for one more attempt now; `None` unless it was
/// delivered or failed.
pub async fn reopen(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<DeliveryRow>> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::workspace_id.eq(workspace))
            .filter(webhook_deliveries::id.eq(id))
            .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending),
        webhook_deliveries::next_attempt_at.eq(Some(now)),
        webhook_deliveries::give_up_at.eq(now),
    ))
    .returning(DeliveryRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Ends the pending deliveries of a webhook that was turned off: they fail with `reason`.
pub async fn fail_pending(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    webhook: Uuid,
    reason: &str,
) -> QueryResult<usize> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::workspace_id.eq(workspace))
            .filter(webhook_deliveries::webhook_id.eq(webhook))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Failed),
        webhook_deliveries::error.eq(Some(reason)),
        webhook_deliveries::next_attempt_at.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .await
}

/// Removes deliveries that ended before `before` (the log keeps 30 days).
pub async fn purge_deliveries(conn: &mut AsyncPgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending))
            .filter(webhook_deliveries::created_at.lt(before)),
    )
    .execute(conn)
    .await
}
