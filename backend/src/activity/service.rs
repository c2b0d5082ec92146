//! Recording activity (inside the caller's transaction, with the request's actor) and reading it
//! back, newest first.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::message::{Message, Summary};
use super::store::{self, ActivityRow};
use crate::db::WorkspaceId;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::error::AppResult;
use crate::http::params::{self, ParamErrors};
use crate::text_enum;

text_enum!(
    /// What kind of record changed.
    Entity {
        Contact => "contact",
        Company => "company",
        Interaction => "interaction",
        Reminder => "reminder",
        Template => "template",
        Settings => "settings",
        Deal => "deal",
        Pipeline => "pipeline",
        Payment => "payment",
        Product => "product",
        Proposal => "proposal",
        Bulk => "bulk",
        Import => "import",
        Webhook => "webhook",
    }
);

text_enum!(
    /// What happened to it.
    Action {
        Created => "created",
        Updated => "updated",
        Deleted => "deleted",
        Trashed => "trashed",
        Restored => "restored",
        Completed => "completed",
        Reopened => "reopened",
        Snoozed => "snoozed",
        Moved => "moved",
        Won => "won",
        Lost => "lost",
        Erased => "erased",
        Merged => "merged",
        Unmerged => "unmerged",
        Disabled => "disabled",
        /// A reminder's time came.
        Due => "due",
    }
);

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityItem {
    pub id: Uuid,
    pub entity: Entity,
    pub entity_id: Uuid,
    pub action: Action,
    /// What happened, for people.
    #[schema(example = "Logged a call with Ada Lovelace: Intro call")]
    pub summary: String,
    /// The contact the change concerns, if any.
    pub contact_id: Option<Uuid>,
    /// The fields an update changed.
    #[schema(example = json!(["lifecycle", "tags"]))]
    pub fields: Vec<String>,
    pub occurred_at: DateTime<Utc>,
    /// Who made the change (a member's user id); `null` for changes Rapport made itself.
    pub actor_id: Option<Uuid>,
    /// Their name as it was then, with the API token's name for API clients.
    #[schema(example = "Ada Lovelace")]
    pub actor_name: Option<String>,
    /// The merge this entry records (`merged` and `unmerged` entries): undo it at
    /// `POST /api/v1/merges/{merge_id}/undo`.
    pub merge_id: Option<Uuid>,
    /// What `summary` says, as a code and parameters, for wording it in another language;
    /// `null` for entries written before entries had codes.
    pub message: Option<ActivityMessage>,
}

/// A history entry's words as a code with parameters (names, titles, counts; `kind` is an
/// interaction kind, `fields` a comma-separated list of field names, `amount_minor` with
/// `currency` an amount in minor units).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityMessage {
    pub code: Message,
    #[schema(example = json!({"name": "Ada Lovelace"}))]
    pub params: std::collections::BTreeMap<String, String>,
}

impl ActivityMessage {
    /// The message of an entry as stored.
    pub fn of(message: Option<Message>, params: &serde_json::Value) -> Option<ActivityMessage> {
        Some(ActivityMessage {
            code: message?,
            params: params
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// A page of activity, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityPage {
    pub items: Vec<ActivityItem>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListActivityParams {
    /// Only changes to this kind of record.
    #[param(example = "interaction")]
    pub entity: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

pub(super) const NEWEST_FIRST: Sort = Sort {
    key: SortKey {
        name: "occurred_at",
        sql: "activity.occurred_at",
        kind: KeyKind::Time,
    },
    descending: true,
};

/// A change to record; written with `record` inside the transaction that makes the change.
pub struct Change<'a> {
    pub entity: Entity,
    pub entity_id: Uuid,
    pub action: Action,
    /// What it says (`summary!(ContactAdded, name = …)`).
    pub summary: Summary,
    pub contact_id: Option<Uuid>,
    pub fields: &'a [&'a str],
}

pub async fn record(conn: &mut AsyncPgConnection, workspace: WorkspaceId, change: Change<'_>) -> AppResult<()> {
    record_all(conn, workspace, vec![change]).await
}

/// Records several changes in one statement (one entry each, the same actor and time).
pub async fn record_all(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    changes: Vec<Change<'_>>,
) -> AppResult<()> {
    write(conn, workspace, changes, None).await
}

/// Records the changes a merge (or its undo) made, each entry naming the merge.
pub async fn record_merge(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    changes: Vec<Change<'_>>,
    merge_id: Uuid,
) -> AppResult<()> {
    write(conn, workspace, changes, Some(merge_id)).await
}

async fn write(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    changes: Vec<Change<'_>>,
    merge_id: Option<Uuid>,
) -> AppResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let actor = crate::accounts::actor::current();
    let now = Utc::now();
    let rows: Vec<ActivityRow> = changes
        .into_iter()
        .map(|change| row(workspace, change, actor.as_ref(), now, merge_id))
        .collect();
    store::insert(conn, &rows).await?;
    Ok(())
}

/// The history entry of one change by the current actor, for a store that writes it in the same
/// statement as the change itself.
pub fn entry(workspace: WorkspaceId, change: Change<'_>, now: DateTime<Utc>) -> ActivityRow {
    row(workspace, change, crate::accounts::actor::current().as_ref(), now, None)
}

fn row(
    workspace: WorkspaceId,
    change: Change<'_>,
    actor: Option<&crate::accounts::actor::Actor>,
    now: DateTime<Utc>,
    merge_id: Option<Uuid>,
) -> ActivityRow {
    ActivityRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        entity: change.entity,
        entity_id: change.entity_id,
        action: change.action,
        summary: change.summary.english(),
        message: Some(change.summary.message),
        params: change.summary.params_json(),
        contact_id: change.contact_id,
        fields: change.fields.iter().map(|f| (*f).to_owned()).collect(),
        occurred_at: now,
        actor_id: actor.map(|a| a.user_id),
        actor_name: actor.map(|a| a.name.clone()),
        merge_id,
    }
}

/// Whose history to read.
pub enum Scope {
    Workspace(Option<Entity>),
    /// A contact and everything about it (its interactions and reminders).
    Contact(Uuid),
    /// One record.
    Record(Uuid),
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    scope: Scope,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> AppResult<ActivityPage> {
    let mut errors = ParamErrors::default();
    let limit = errors.take(params::limit(limit));
    let after = errors.take(NEWEST_FIRST.after(cursor)).flatten();
    errors.finish()?;
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let rows = store::list(conn, workspace, &scope, after.as_ref(), limit + 1).await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &NEWEST_FIRST, |r| (SortValue::Time(r.occurred_at), r.id));
    Ok(ActivityPage {
        items: rows
            .into_iter()
            .map(|r| ActivityItem {
                id: r.id,
                entity: r.entity,
                entity_id: r.entity_id,
                action: r.action,
                summary: r.summary,
                contact_id: r.contact_id,
                fields: r.fields,
                occurred_at: r.occurred_at,
                actor_id: r.actor_id,
                actor_name: r.actor_name,
                merge_id: r.merge_id,
                message: ActivityMessage::of(r.message, &r.params),
            })
            .collect(),
        next_cursor,
    })
}

/// Parses the `entity` filter of the workspace feed.
pub fn entity_filter(raw: Option<&str>) -> AppResult<Option<Entity>> {
    crate::http::params::choice::<Entity>("entity", raw).map_err(|e| crate::error::AppError::validation(vec![e]))
}
