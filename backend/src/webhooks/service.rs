//! Webhooks: endpoints (admin-only), the dispatcher that turns history entries into deliveries,
//! and the attempts that send them.
//!
//! Guarantees: every change writes its history entry in its own transaction (the outbox), so an
//! event exists exactly when its change does. The dispatcher reads entries in transaction order
//! (`store::outbox_after`) and, in one transaction, writes one delivery per subscribed webhook
//! with one job each and moves its cursor — so an entry is dispatched once, even with several
//! server instances (the cursor row is locked, the others skip it). Each delivery is attempted
//! until an endpoint answers 2xx, with backoff, for 3 days (at least once; a receiver drops
//! repeats by `webhook-id`); deliveries about one record wait for the earlier ones to that
//! endpoint, so they arrive in order.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{
    CreateWebhook, CreatedWebhook, Delivery, DeliveryPage, DeliveryStatus, EventActor, EventData, UpdateWebhook,
    Webhook, WebhookEvent, WebhookList,
};
use super::events::EventType;
use super::store::{self, Attempt, DeliveryRow, OutboxEntry, WebhookChangeset, WebhookRow};
use crate::activity::service::{self as activity, Action, Entity};
use crate::config::OutboundConfig;
use crate::crypto::SecretsKey;
use crate::db::WorkspaceId;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::params::{self, ParamErrors};
use crate::jobs::store::JobRow;
use crate::state::AppState;

const NOT_FOUND: &str = "the webhook";
const DELIVERY_NOT_FOUND: &str = "the delivery";
/// Webhooks per workspace.
pub const MAX_PER_WORKSPACE: i64 = 20;
/// How long a delivery is retried.
pub const RETRY_FOR: Duration = Duration::days(3);
/// The outbox cursor of the dispatcher.
pub const CURSOR: &str = "webhooks";
/// History entries dispatched per transaction.
const BATCH: i64 = 500;
/// The job kind of one delivery.
pub const JOB_KIND: &str = "webhook_delivery";

fn key(outbound: &OutboundConfig) -> AppResult<&SecretsKey> {
    crate::crypto::require_key(outbound)
}

pub fn to_dto(row: WebhookRow) -> Webhook {
    Webhook {
        id: row.id,
        url: row.url,
        description: row.description,
        events: row.events.iter().filter_map(|e| e.parse().ok()).collect(),
        enabled: row.enabled,
        disabled_reason: row.disabled_reason,
        disabled_at: row.disabled_at,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

/// The events as stored: each once, in the order given; the test event is not one to ask for.
fn events(list: &[EventType]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for (i, e) in list.iter().enumerate() {
        if *e == EventType::WebhookTest {
            return Err(FieldError::new(
                format!("events[{i}]"),
                "webhook.test is sent by \"Send test event\" only; it cannot be subscribed to",
            ));
        }
        if out.iter().any(|x| x == e.as_str()) {
            return Err(FieldError::new(format!("events[{i}]"), format!("{e} is listed twice")));
        }
        out.push(e.as_str().to_owned());
    }
    Ok(out)
}

fn url(raw: &str, outbound: &OutboundConfig) -> Result<String, FieldError> {
    crate::net::check_url(raw, outbound.allow_private)
        .map(|u| u.to_string())
        .map_err(|m| FieldError::new("url", m))
}

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<WebhookList> {
    Ok(WebhookList {
        items: store::list(conn, workspace).await?.into_iter().map(to_dto).collect(),
    })
}

async fn row(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<WebhookRow> {
    store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Webhook> {
    Ok(to_dto(row(conn, workspace, id).await?))
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateWebhook,
    outbound: &OutboundConfig,
    author: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<CreatedWebhook> {
    let mut errors = ParamErrors::default();
    let url = errors.take(url(&input.url, outbound));
    let events = errors.take(events(&input.events));
    errors.finish()?;
    let (Some(url), Some(events)) = (url, events) else {
        return Err(AppError::internal(anyhow::anyhow!("validated input went missing")));
    };
    let key = key(outbound)?;
    if store::count(conn, workspace).await? >= MAX_PER_WORKSPACE {
        return Err(AppError::conflict(
            "too_many_webhooks",
            format!("a workspace has at most {MAX_PER_WORKSPACE} webhooks; delete one first"),
        ));
    }
    let id = Uuid::now_v7();
    let secret = crate::crypto::new_webhook_secret();
    let row = store::insert(
        conn,
        &WebhookRow {
            id,
            workspace_id: workspace,
            url,
            description: input.description.trim().to_owned(),
            events,
            secret: key.seal(secret.as_bytes(), id.as_bytes()),
            enabled: input.enabled,
            disabled_reason: None,
            disabled_at: (!input.enabled).then_some(now),
            created_by: author,
            created_at: now,
            updated_at: now,
            version: 1,
        },
    )
    .await?;
    Ok(CreatedWebhook {
        webhook: to_dto(row),
        secret,
    })
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateWebhook,
    expected: Option<i32>,
    outbound: &OutboundConfig,
    now: DateTime<Utc>,
) -> AppResult<Webhook> {
    let mut errors = ParamErrors::default();
    let url = input.url.as_deref().and_then(|u| errors.take(url(u, outbound)));
    let events = input.events.as_deref().and_then(|e| errors.take(events(e)));
    errors.finish()?;
    let changes = WebhookChangeset {
        url,
        description: input.description.map(|d| d.trim().to_owned()),
        events,
        secret: None,
        enabled: input.enabled,
        // Turned on: Rapport's reason for turning it off is gone; turned off by a person: none.
        disabled_reason: input.enabled.map(|_| None),
        disabled_at: input.enabled.map(|on| (!on).then_some(now)),
    };
    let expected = expected.or(input.version);
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = store::update(conn, workspace, id, &changes, expected)
            .await?
            .into_result(NOT_FOUND)?;
        if !row.enabled {
            store::fail_pending(conn, workspace, id, "the webhook was turned off").await?;
        }
        Ok(to_dto(row))
    })
    .await
}

/// A new signing secret (the old one stops working at once), shown this once.
pub async fn rotate_secret(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
    outbound: &OutboundConfig,
) -> AppResult<CreatedWebhook> {
    let key = key(outbound)?;
    let secret = crate::crypto::new_webhook_secret();
    let changes = WebhookChangeset {
        secret: Some(key.seal(secret.as_bytes(), id.as_bytes())),
        ..Default::default()
    };
    let row = store::update(conn, workspace, id, &changes, expected)
        .await?
        .into_result(NOT_FOUND)?;
    Ok(CreatedWebhook {
        webhook: to_dto(row),
        secret,
    })
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    store::delete(conn, workspace, id, expected)
        .await?
        .into_result(NOT_FOUND)?;
    Ok(())
}

// --- The delivery log -------------------------------------------------------------------------

const NEWEST_FIRST: Sort = Sort {
    key: SortKey {
        name: "created_at",
        sql: "webhook_deliveries.created_at",
        kind: KeyKind::Time,
    },
    descending: true,
};

pub fn delivery_dto(row: DeliveryRow) -> AppResult<Delivery> {
    let payload: WebhookEvent = serde_json::from_value(row.payload).map_err(AppError::internal)?;
    Ok(Delivery {
        id: row.id,
        webhook_id: row.webhook_id,
        event_id: row.event_id,
        event_type: payload.event_type,
        status: row.status,
        attempts: row.attempts,
        response_status: row.response_status,
        response_excerpt: row.response_excerpt,
        error: row.error,
        duration_ms: row.duration_ms,
        last_attempt_at: row.last_attempt_at,
        next_attempt_at: row.next_attempt_at,
        created_at: row.created_at,
        delivered_at: row.delivered_at,
        payload,
    })
}

pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    webhook: Uuid,
    status: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> AppResult<DeliveryPage> {
    let mut errors = ParamErrors::default();
    let limit = errors.take(params::limit(limit));
    let after = errors.take(NEWEST_FIRST.after(cursor)).flatten();
    let status = errors
        .take(params::choice::<DeliveryStatus>("status", status))
        .flatten();
    errors.finish()?;
    row(conn, workspace, webhook).await?;
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let after = match after {
        Some((SortValue::Time(t), id)) => Some((t, id)),
        _ => None,
    };
    let rows = store::deliveries(conn, workspace, webhook, status, after, limit + 1).await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &NEWEST_FIRST, |r| (SortValue::Time(r.created_at), r.id));
    Ok(DeliveryPage {
        items: rows.into_iter().map(delivery_dto).collect::<AppResult<_>>()?,
        next_cursor,
    })
}

/// Queues one more attempt of a delivery that was delivered or failed (no retries after it).
pub async fn redeliver(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Delivery> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let Some(current) = store::delivery(conn, workspace, id).await? else {
            return Err(AppError::not_found(DELIVERY_NOT_FOUND));
        };
        let hook = row(conn, workspace, current.webhook_id).await?;
        if !hook.enabled {
            return Err(AppError::conflict(
                "webhook_disabled",
                "the webhook is turned off; turn it on before sending deliveries again",
            ));
        }
        let Some(reopened) = store::reopen(conn, workspace, id, now).await? else {
            return Err(AppError::conflict(
                "delivery_pending",
                "the delivery is still being attempted; its next attempt is due at next_attempt_at",
            ));
        };
        crate::jobs::store::enqueue(conn, &job(workspace, reopened.id, now)).await?;
        delivery_dto(reopened)
    })
    .await
}

fn job(workspace: WorkspaceId, delivery: Uuid, now: DateTime<Utc>) -> crate::jobs::store::NewJobRow {
    let mut job = crate::jobs::new_job(JOB_KIND, now, now);
    job.workspace_id = Some(workspace);
    job.payload = serde_json::json!({ "delivery_id": delivery });
    // Retries are the delivery's own (until its give_up_at), not the queue's.
    job.max_attempts = 1000;
    job
}

// --- Dispatching --------------------------------------------------------------------------------

/// The record an entry is about, as `GET` answers it; `None` when it is gone.
async fn object(conn: &mut AsyncPgConnection, entry: &OutboxEntry) -> AppResult<Option<serde_json::Value>> {
    let (ws, id) = (entry.workspace_id, entry.entity_id);
    let found = match entry.entity {
        Entity::Contact => crate::contacts::service::get(conn, ws, id, true)
            .await
            .and_then(|v| serde_json::to_value(v).map_err(AppError::internal)),
        Entity::Company => crate::companies::service::get(conn, ws, id, true)
            .await
            .and_then(|v| serde_json::to_value(v).map_err(AppError::internal)),
        Entity::Deal => crate::deals::service::get(conn, ws, id, true)
            .await
            .and_then(|v| serde_json::to_value(v).map_err(AppError::internal)),
        Entity::Interaction => crate::interactions::service::get(conn, ws, id)
            .await
            .and_then(|v| serde_json::to_value(v).map_err(AppError::internal)),
        Entity::Reminder => crate::reminders::service::get(conn, ws, id)
            .await
            .and_then(|v| serde_json::to_value(v).map_err(AppError::internal)),
        Entity::Import => crate::imports::service::get(conn, ws, id)
            .await
            .and_then(|v| serde_json::to_value(v).map_err(AppError::internal)),
        _ => return Ok(None),
    };
    match found {
        Ok(v) => Ok(Some(v)),
        // Gone (erased, merged away, purged): the event still says what happened to which id.
        Err(e) if e.status().is_client_error() || e.status().is_redirection() => Ok(None),
        Err(e) => Err(e),
    }
}

fn envelope(entry: &OutboxEntry, kind: EventType, object: Option<serde_json::Value>) -> WebhookEvent {
    WebhookEvent {
        id: entry.id,
        event_type: kind,
        occurred_at: entry.occurred_at,
        workspace_id: entry.workspace_id.uuid(),
        actor: entry.actor_id.map(|id| EventActor {
            id,
            name: entry.actor_name.clone().unwrap_or_default(),
        }),
        summary: entry.summary.clone(),
        data: EventData {
            kind: entry.entity.as_str().to_owned(),
            id: Some(entry.entity_id),
            object,
            changed_fields: if entry.action == Action::Updated {
                entry.fields.clone()
            } else {
                Vec::new()
            },
            merged_id: if entry.action == Action::Merged {
                entry.merged_id
            } else {
                None
            },
        },
    }
}

/// Dispatches the outbox: batch after batch (each in the transaction that moves the cursor)
/// until it is read to its end or a batch wrote deliveries. Returns how many deliveries it
/// wrote; 0 also when another instance is dispatching. While no webhook is enabled anywhere, the
/// cursor jumps to the end: history written meanwhile (an import, a restore) is not replayed.
pub async fn dispatch(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> AppResult<usize> {
    // At most this many batches at once (the dispatcher comes back at once when work is left).
    for _ in 0..200 {
        let (read, written) = dispatch_batch(conn, now).await?;
        if written > 0 || read < BATCH as usize {
            return Ok(written);
        }
    }
    Ok(0)
}

/// One batch: (history entries read, deliveries written).
async fn dispatch_batch(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> AppResult<(usize, usize)> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let Some(cursor) = store::lock_cursor(conn, CURSOR).await? else {
            return Ok((0, 0));
        };
        if !store::any_enabled(conn).await? {
            if let Some(head) = store::outbox_head(conn).await?.filter(|h| *h > cursor) {
                store::advance_cursor(conn, CURSOR, head.0, head.1).await?;
            }
            return Ok((0, 0));
        }
        let entries = store::outbox_after(conn, None, cursor, BATCH).await?;
        let Some(last) = entries.last().map(|e| (e.txid, e.id)) else {
            return Ok((0, 0));
        };
        let read = entries.len();
        let mut workspaces: Vec<WorkspaceId> = entries.iter().map(|e| e.workspace_id).collect();
        workspaces.sort_unstable();
        workspaces.dedup();
        let hooks = store::enabled_in(conn, &workspaces).await?;
        let mut deliveries = Vec::new();
        if !hooks.is_empty() {
            let mut objects: HashMap<Uuid, Option<serde_json::Value>> = HashMap::new();
            for entry in &entries {
                let survivor = entry.survivor_id == Some(entry.entity_id);
                let Some(kind) = EventType::of(entry.entity, entry.action, survivor) else {
                    continue;
                };
                let targets: Vec<&WebhookRow> = hooks
                    .iter()
                    .filter(|h| {
                        h.workspace_id == entry.workspace_id
                            && h.created_at <= entry.occurred_at
                            && h.events.iter().any(|e| e == kind.as_str())
                    })
                    .collect();
                if targets.is_empty() {
                    continue;
                }
                let object = match objects.get(&entry.entity_id) {
                    Some(o) => o.clone(),
                    None => {
                        let o = object(conn, entry).await?;
                        objects.insert(entry.entity_id, o.clone());
                        o
                    }
                };
                let payload = serde_json::to_value(envelope(entry, kind, object)).map_err(AppError::internal)?;
                for hook in targets {
                    deliveries.push(DeliveryRow {
                        id: Uuid::now_v7(),
                        workspace_id: entry.workspace_id,
                        webhook_id: hook.id,
                        event_id: entry.id,
                        event_type: kind.as_str().to_owned(),
                        entity_id: Some(entry.entity_id),
                        event_txid: entry.txid,
                        payload: payload.clone(),
                        status: DeliveryStatus::Pending,
                        attempts: 0,
                        response_status: None,
                        response_excerpt: None,
                        error: None,
                        duration_ms: None,
                        last_attempt_at: None,
                        next_attempt_at: Some(now),
                        give_up_at: now + RETRY_FOR,
                        created_at: now,
                        delivered_at: None,
                    });
                }
            }
        }
        store::insert_deliveries(conn, &deliveries).await?;
        let jobs: Vec<_> = deliveries.iter().map(|d| job(d.workspace_id, d.id, now)).collect();
        crate::jobs::store::enqueue_all(conn, &jobs).await?;
        store::advance_cursor(conn, CURSOR, last.0, last.1).await?;
        Ok((read, deliveries.len()))
    })
    .await
}

// --- Attempts -------------------------------------------------------------------------------

/// The wait after the `n`th failed attempt: 10 s, 1 min, 5 min, 30 min, 2 h, 5 h, then 10 h.
pub fn backoff(failures: i32) -> Duration {
    match failures {
        ..=1 => Duration::seconds(10),
        2 => Duration::minutes(1),
        3 => Duration::minutes(5),
        4 => Duration::minutes(30),
        5 => Duration::hours(2),
        6 => Duration::hours(5),
        _ => Duration::hours(10),
    }
}

/// What an attempt came to, for the job that ran it.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to send (already delivered or failed, or the webhook is gone).
    Nothing,
    Delivered,
    /// Failed; retried at this time.
    Retry(DateTime<Utc>),
    /// Failed for good.
    Failed,
    /// An earlier delivery about the same record to the same endpoint is still pending: try
    /// again at this time, without counting an attempt.
    Waiting(DateTime<Utc>),
}

/// The first 1,000 characters of an answer, read up to 4 KiB.
async fn excerpt(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < 4096 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&bytes).chars().take(1000).collect()
}

fn describe(e: &reqwest::Error, timeout: std::time::Duration) -> String {
    use std::error::Error;
    if e.is_timeout() {
        return format!("timed out after {} s", timeout.as_secs_f64());
    }
    // The innermost cause says most (a refused address, a TLS failure, a reset connection).
    let mut cause: &dyn Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let prefix = if e.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    format!("{prefix}: {cause}")
}

/// What is needed to send a delivery, read before the connection goes back to the pool (an
/// endpoint may take its time to answer).
enum Prepared {
    Done(Outcome, Option<DeliveryRow>),
    Send {
        hook: WebhookRow,
        secret: Result<String, String>,
    },
}

async fn prepare(
    conn: &mut AsyncPgConnection,
    outbound: &OutboundConfig,
    delivery: &DeliveryRow,
    hook: Option<WebhookRow>,
    now: DateTime<Utc>,
) -> AppResult<Prepared> {
    if delivery.status != DeliveryStatus::Pending {
        return Ok(Prepared::Done(Outcome::Nothing, None));
    }
    let Some(hook) = hook else {
        return Ok(Prepared::Done(Outcome::Nothing, None));
    };
    let is_test = delivery.event_type == EventType::WebhookTest.as_str();
    if !hook.enabled && !is_test {
        let row = store::record_attempt(conn, delivery, &Tried::turned_off().attempt(now)).await?;
        return Ok(Prepared::Done(Outcome::Failed, row));
    }
    if let Some(earlier) = store::earlier_pending(conn, delivery).await? {
        let at = earlier.next_attempt_at.unwrap_or(now).max(now) + Duration::seconds(1);
        return Ok(Prepared::Done(Outcome::Waiting(at), None));
    }
    let secret = secret_of(outbound, &hook);
    Ok(Prepared::Send { hook, secret })
}

/// Sends the signed body; the status and the start of the answer, or why none came.
async fn send(
    client: &reqwest::Client,
    outbound: &OutboundConfig,
    hook: &WebhookRow,
    secret: &str,
    delivery: &DeliveryRow,
    now: DateTime<Utc>,
) -> Result<(i32, String), String> {
    let body = serde_json::to_vec(&delivery.payload).map_err(|e| e.to_string())?;
    let id = delivery.event_id.to_string();
    let timestamp = now.timestamp();
    let signature = crate::crypto::sign_webhook(secret, &id, timestamp, &body);
    let response = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| describe(&e, outbound.timeout))?;
    let status = i32::from(response.status().as_u16());
    Ok((status, excerpt(response).await))
}

/// Sends a delivery once and records how it went. The pooled connection is not held while the
/// endpoint answers.
pub async fn attempt(
    state: &AppState,
    delivery: &DeliveryRow,
    now: DateTime<Utc>,
) -> AppResult<(Outcome, Option<DeliveryRow>)> {
    let hook = {
        let mut conn = state.background_conn().await?;
        store::find(&mut conn, delivery.workspace_id, delivery.webhook_id).await?
    };
    attempt_to(state, delivery, hook, now).await
}

/// [`attempt`] with the delivery's webhook already read (`None` when it was deleted).
async fn attempt_to(
    state: &AppState,
    delivery: &DeliveryRow,
    hook: Option<WebhookRow>,
    now: DateTime<Utc>,
) -> AppResult<(Outcome, Option<DeliveryRow>)> {
    let outbound = &state.config.outbound;
    let prepared = {
        let mut conn = state.background_conn().await?;
        prepare(&mut conn, outbound, delivery, hook, now).await?
    };
    let (hook, secret) = match prepared {
        Prepared::Done(outcome, row) => return Ok((outcome, row)),
        Prepared::Send { hook, secret } => (hook, secret),
    };
    let (outcome, result) = try_once(state, delivery, &hook, &secret, now).await;
    let mut conn = state.background_conn().await?;
    let row = store::record_attempt(&mut conn, delivery, &result.attempt(now)).await?;
    // An endpoint that failed every attempt of a delivery for 3 days is turned off.
    if gives_up(delivery, &outcome) {
        give_up_on(&mut conn, &hook, now).await?;
    }
    Ok((outcome, row))
}

/// How one attempt went, to be recorded.
struct Tried {
    status: DeliveryStatus,
    response_status: Option<i32>,
    response_excerpt: Option<String>,
    error: Option<String>,
    duration_ms: i32,
    next_attempt_at: Option<DateTime<Utc>>,
}

impl Tried {
    fn attempt(&self, now: DateTime<Utc>) -> Attempt<'_> {
        Attempt {
            status: self.status,
            response_status: self.response_status,
            response_excerpt: self.response_excerpt.as_deref(),
            error: self.error.as_deref(),
            duration_ms: self.duration_ms,
            at: now,
            next_attempt_at: self.next_attempt_at,
        }
    }

    /// A delivery not sent because its webhook was turned off.
    fn turned_off() -> Self {
        Tried {
            status: DeliveryStatus::Failed,
            response_status: None,
            response_excerpt: None,
            error: Some("the webhook was turned off".to_owned()),
            duration_ms: 0,
            next_attempt_at: None,
        }
    }
}

/// Whether this outcome ends a delivery that was retried for the whole 3 days (its webhook is
/// then turned off).
fn gives_up(delivery: &DeliveryRow, outcome: &Outcome) -> bool {
    *outcome == Outcome::Failed && delivery.give_up_at - delivery.created_at >= RETRY_FOR
}

/// Sends a delivery once (no database): what came of it and what to record.
async fn try_once(
    state: &AppState,
    delivery: &DeliveryRow,
    hook: &WebhookRow,
    secret: &Result<String, String>,
    now: DateTime<Utc>,
) -> (Outcome, Tried) {
    let outbound = &state.config.outbound;
    let started = std::time::Instant::now();
    let sent = match secret {
        Ok(secret) => send(&state.outbound, outbound, hook, secret, delivery, now).await,
        Err(e) => Err(e.clone()),
    };
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let delivered = matches!(&sent, Ok((status, _)) if (200..300).contains(status));
    let (status, outcome) = if delivered {
        (DeliveryStatus::Delivered, Outcome::Delivered)
    } else if now < delivery.give_up_at {
        let at = (now + backoff(delivery.attempts + 1)).min(delivery.give_up_at);
        (DeliveryStatus::Pending, Outcome::Retry(at))
    } else {
        (DeliveryStatus::Failed, Outcome::Failed)
    };
    let (response_status, response_excerpt, error) = match sent {
        Ok((code, text)) if delivered => (Some(code), Some(text), None),
        Ok((code, text)) => (Some(code), Some(text), Some(format!("answered {code}, not 2xx"))),
        Err(e) => (None, None, Some(e)),
    };
    let next_attempt_at = match outcome {
        Outcome::Retry(at) => Some(at),
        _ => None,
    };
    (
        outcome,
        Tried {
            status,
            response_status,
            response_excerpt,
            error,
            duration_ms,
            next_attempt_at,
        },
    )
}

/// The webhook's secret, opened with the server's key.
fn secret_of(outbound: &OutboundConfig, hook: &WebhookRow) -> Result<String, String> {
    match outbound.secrets_key.as_ref() {
        Some(key) => key
            .open(&hook.secret, hook.id.as_bytes())
            .map(|s| String::from_utf8_lossy(&s).into_owned())
            .map_err(|e| e.to_string()),
        None => Err("SECRETS_KEY is not set on the server, so the delivery cannot be signed".to_owned()),
    }
}

async fn give_up_on(conn: &mut AsyncPgConnection, hook: &WebhookRow, now: DateTime<Utc>) -> AppResult<()> {
    let reason = "its deliveries failed for 3 days";
    let ws = hook.workspace_id;
    conn.transaction::<_, AppError, _>(async move |conn| {
        if store::disable(conn, ws, hook.id, reason, now).await? {
            store::fail_pending(
                conn,
                ws,
                hook.id,
                "the webhook was turned off: its deliveries failed for 3 days",
            )
            .await?;
            activity::record(
                conn,
                ws,
                activity::Change {
                    entity: Entity::Webhook,
                    entity_id: hook.id,
                    action: Action::Disabled,
                    summary: crate::summary!(WebhookDisabled, url = hook.url, reason = reason),
                    contact_id: None,
                    fields: &[],
                },
            )
            .await?;
            tracing::warn!(webhook = %hook.id, url = hook.url, "webhook turned off: {reason}");
        }
        Ok(())
    })
    .await
}

/// Sends a `webhook.test` event now (whether or not the webhook is on) and returns how it went;
/// recorded in the delivery log, never retried.
pub async fn send_test(state: &AppState, workspace: WorkspaceId, id: Uuid, now: DateTime<Utc>) -> AppResult<Delivery> {
    key(&state.config.outbound)?;
    let mut conn = state.conn().await?;
    let hook = row(&mut conn, workspace, id).await?;
    let actor = crate::accounts::actor::current();
    let event = WebhookEvent {
        id: Uuid::now_v7(),
        event_type: EventType::WebhookTest,
        occurred_at: now,
        workspace_id: workspace.uuid(),
        actor: actor.map(|a| EventActor {
            id: a.user_id,
            name: a.name,
        }),
        summary: "A test event sent from Rapport".to_owned(),
        data: EventData {
            kind: "webhook".to_owned(),
            id: Some(hook.id),
            object: None,
            changed_fields: Vec::new(),
            merged_id: None,
        },
    };
    let row = DeliveryRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        webhook_id: hook.id,
        event_id: event.id,
        event_type: EventType::WebhookTest.as_str().to_owned(),
        entity_id: None,
        event_txid: 0,
        payload: serde_json::to_value(&event).map_err(AppError::internal)?,
        status: DeliveryStatus::Pending,
        attempts: 0,
        response_status: None,
        response_excerpt: None,
        error: None,
        duration_ms: None,
        last_attempt_at: None,
        next_attempt_at: Some(now),
        give_up_at: now,
        created_at: now,
        delivered_at: None,
    };
    store::insert_deliveries(&mut conn, std::slice::from_ref(&row)).await?;
    drop(conn);
    let (_, done) = attempt(state, &row, now).await?;
    delivery_dto(done.unwrap_or(row))
}

/// The delivery a claimed job names.
fn delivery_id(job: &JobRow) -> Option<Uuid> {
    job.payload
        .get("delivery_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
}

/// Sends the deliveries claimed jobs name and answers each job's outcome, in the jobs' order.
/// Deliveries about the same record to the same webhook go one after the other in the order
/// their events happened (a later one waits while an earlier one is pending); the others go at
/// the same time. The database is read and written a few statements per workspace, whatever
/// the number of deliveries, and no connection is held while endpoints answer.
pub async fn run_jobs(state: &AppState, jobs: &[JobRow], now: DateTime<Utc>) -> Vec<AppResult<Outcome>> {
    let mut by_workspace: HashMap<WorkspaceId, Vec<Uuid>> = HashMap::new();
    for job in jobs {
        if let (Some(ws), Some(id)) = (job.workspace_id, delivery_id(job)) {
            by_workspace.entry(ws).or_default().push(id);
        }
    }
    let mut done: HashMap<Uuid, Outcome> = HashMap::new();
    let mut failed: HashMap<WorkspaceId, String> = HashMap::new();
    for (ws, ids) in by_workspace {
        match run_workspace(state, ws, &ids, now).await {
            Ok(outcomes) => done.extend(outcomes),
            Err(e) => {
                failed.insert(ws, e.detail().to_owned());
            }
        }
    }
    jobs.iter()
        .map(|job| match (job.workspace_id, delivery_id(job)) {
            (Some(ws), Some(id)) => match failed.get(&ws) {
                Some(e) => Err(AppError::internal(anyhow::anyhow!("{e}"))),
                // A delivery that is gone has nothing left to send.
                None => Ok(done.remove(&id).unwrap_or(Outcome::Nothing)),
            },
            _ => Err(AppError::internal(anyhow::anyhow!("a delivery job names no delivery"))),
        })
        .collect()
}

/// [`run_jobs`] for the deliveries of one workspace: their outcomes by delivery.
async fn run_workspace(
    state: &AppState,
    workspace: WorkspaceId,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, Outcome>> {
    let (rows, blocked) = {
        let mut conn = state.background_conn().await?;
        let rows = store::deliveries_with_hooks(&mut conn, workspace, ids).await?;
        let blocked: HashMap<Uuid, Option<DateTime<Utc>>> = store::blocked_among(&mut conn, workspace, ids)
            .await?
            .into_iter()
            .collect();
        (rows, blocked)
    };
    // Chains of deliveries about one record to one webhook, each in event order (the rows
    // came sorted by event).
    let mut chains: Vec<Vec<(DeliveryRow, WebhookRow)>> = Vec::new();
    let mut chain_of: HashMap<(Uuid, Uuid), usize> = HashMap::new();
    let mut outcomes: HashMap<Uuid, Outcome> = HashMap::new();
    let mut tried: Vec<(DeliveryRow, Option<WebhookRow>, Outcome, Tried)> = Vec::new();
    for (delivery, hook) in rows {
        let Some(hook) = hook.filter(|_| delivery.status == DeliveryStatus::Pending) else {
            outcomes.insert(delivery.id, Outcome::Nothing);
            continue;
        };
        if !hook.enabled && delivery.event_type != EventType::WebhookTest.as_str() {
            tried.push((delivery, None, Outcome::Failed, Tried::turned_off()));
            continue;
        }
        match delivery.entity_id.map(|e| (delivery.webhook_id, e)) {
            Some(key) => match chain_of.get(&key) {
                Some(&c) => chains[c].push((delivery, hook)),
                None => {
                    chain_of.insert(key, chains.len());
                    chains.push(vec![(delivery, hook)]);
                }
            },
            None => chains.push(vec![(delivery, hook)]),
        }
    }
    let blocked = &blocked;
    let sent = futures_util::future::join_all(chains.into_iter().map(|chain| async move {
        let mut results = Vec::with_capacity(chain.len());
        // Set once this chain must wait (for an earlier delivery outside the batch, or one
        // of its own that is to be retried): the rest waits until then.
        let mut hold: Option<DateTime<Utc>> = None;
        for (delivery, hook) in chain {
            if hold.is_none()
                && let Some(at) = blocked.get(&delivery.id)
            {
                hold = Some(at.unwrap_or(now).max(now) + Duration::seconds(1));
            }
            if let Some(at) = hold {
                results.push(Err((delivery.id, Outcome::Waiting(at))));
                continue;
            }
            let secret = secret_of(&state.config.outbound, &hook);
            let (outcome, result) = try_once(state, &delivery, &hook, &secret, now).await;
            if let Outcome::Retry(at) = outcome {
                hold = Some(at + Duration::seconds(1));
            }
            results.push(Ok((delivery, Some(hook), outcome, result)));
        }
        results
    }))
    .await;
    for result in sent.into_iter().flatten() {
        match result {
            Ok(t) => tried.push(t),
            Err((id, waiting)) => {
                outcomes.insert(id, waiting);
            }
        }
    }
    let mut conn = state.background_conn().await?;
    let records: Vec<(Uuid, Attempt<'_>)> = tried.iter().map(|(d, _, _, t)| (d.id, t.attempt(now))).collect();
    store::record_attempts(&mut conn, workspace, &records).await?;
    drop(records);
    for (delivery, hook, outcome, _) in tried {
        if let Some(hook) = hook.filter(|_| gives_up(&delivery, &outcome)) {
            give_up_on(&mut conn, &hook, now).await?;
        }
        outcomes.insert(delivery.id, outcome);
    }
    Ok(outcomes)
}
