//! Bulk changes: one change to up to 10,000 contacts, companies or deals — chosen by id or by the
//! list's filters — in one transaction, with an outcome per record, a history entry per record
//! plus one for the batch, and an undo of the whole batch (for [`UNDO_DAYS`]) that leaves records
//! changed since as they are.

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{BulkAction, BulkItem, BulkKind, BulkOutcome, BulkRequest, BulkResult, BulkUndo, MAX_RECORDS};
use super::store::{self, Batch, BatchRow, Change};
use crate::activity;
use crate::activity::message::Summary;
use crate::activity::service::{Action, Change as HistoryChange, Entity};
use crate::companies;
use crate::companies::query::{CompanyQuery, ListCompaniesParams};
use crate::contacts;
use crate::contacts::query::{ContactQuery, ListContactsParams};
use crate::custom_fields;
use crate::custom_fields::dto::FieldEntity;
use crate::db::WorkspaceId;
use crate::dto::{normalize_tags, validate_tags};
use crate::error::{AppError, AppResult, FieldError};
use crate::views;
use crate::views::dto::ViewKind;
use crate::views::service::Viewer;

pub const UNDO_DAYS: i64 = 30;

fn field_entity(kind: BulkKind) -> FieldEntity {
    match kind {
        BulkKind::Contact => FieldEntity::Contact,
        BulkKind::Company => FieldEntity::Company,
        BulkKind::Deal => FieldEntity::Deal,
    }
}

/// The change's SQL, its parameter, the history's word for what changed, and a summary of the
/// batch ("Added the tag vip to …", its count added once known); 422 when the action does not apply to this kind or its
/// values are invalid.
async fn plan(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: BulkKind,
    action: &BulkAction,
) -> AppResult<(&'static Change, serde_json::Value, &'static str, Summary)> {
    let contacts_only = |what: &str| AppError::invalid_field("action.type", format!("{what} applies to contacts only"));
    let tags = |tags: &[String]| -> AppResult<Vec<String>> {
        if tags.is_empty() || tags.len() > 30 {
            return Err(AppError::invalid_field("action.tags", "name 1 to 30 tags"));
        }
        validate_tags(tags).map_err(|e| {
            AppError::invalid_field(
                "action.tags",
                e.message
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "invalid tag".to_owned()),
            )
        })?;
        Ok(normalize_tags(tags.to_vec()))
    };
    Ok(match action {
        BulkAction::AddTags { tags: t } if kind == BulkKind::Contact => {
            let t = tags(t)?;
            let summary = crate::summary!(BulkTagsAdded, tags = t.join(","));
            (&store::ADD_TAGS, serde_json::json!(t), "tags", summary)
        }
        BulkAction::RemoveTags { tags: t } if kind == BulkKind::Contact => {
            let t = tags(t)?;
            let summary = crate::summary!(BulkTagsRemoved, tags = t.join(","));
            (&store::REMOVE_TAGS, serde_json::json!(t), "tags", summary)
        }
        BulkAction::AddTags { .. } => return Err(contacts_only("add_tags")),
        BulkAction::RemoveTags { .. } => return Err(contacts_only("remove_tags")),
        BulkAction::SetLifecycle { lifecycle } if kind == BulkKind::Contact => (
            &store::SET_LIFECYCLE,
            serde_json::json!(lifecycle),
            "lifecycle",
            crate::summary!(BulkLifecycleSet, lifecycle = lifecycle),
        ),
        BulkAction::SetLifecycle { .. } => return Err(contacts_only("set_lifecycle")),
        BulkAction::SetStage { stage_id } if kind == BulkKind::Deal => {
            let stage = crate::pipelines::service::stage(conn, workspace, *stage_id)
                .await?
                .ok_or_else(|| AppError::invalid_field("action.stage_id", "no stage has this id"))?;
            (
                &store::SET_STAGE,
                serde_json::json!({"stage_id": stage.id, "pipeline_id": stage.pipeline_id, "status": stage.kind.as_str()}),
                "stage",
                crate::summary!(BulkStageSet, stage = stage.name),
            )
        }
        BulkAction::SetStage { .. } => {
            return Err(AppError::invalid_field(
                "action.type",
                "set_stage applies to deals (contacts have set_lifecycle)",
            ));
        }
        BulkAction::SetOwner { .. } if kind == BulkKind::Company => {
            return Err(AppError::invalid_field(
                "action.type",
                "set_owner applies to contacts and deals",
            ));
        }
        BulkAction::SetOwner { owner_id } => (
            &store::SET_OWNER,
            serde_json::json!(owner_id),
            "owner",
            if owner_id.is_some() {
                crate::summary!(BulkOwnerSet)
            } else {
                crate::summary!(BulkOwnerCleared)
            },
        ),
        BulkAction::SetCustomField { key, value } => {
            // Checked against the field's definition, as a change to one record would be.
            let mut change = serde_json::Map::new();
            change.insert(key.clone(), value.clone());
            let checked =
                custom_fields::service::apply(conn, workspace, field_entity(kind), &serde_json::json!({}), &change)
                    .await
                    .map_err(|e| prefixed(e, "action"))?;
            let value = checked.get(key).cloned().unwrap_or(serde_json::Value::Null);
            let words = if value.is_null() {
                crate::summary!(BulkFieldCleared, key = key)
            } else {
                crate::summary!(BulkFieldSet, key = key)
            };
            (
                &store::SET_CUSTOM_FIELD,
                serde_json::json!({"key": key, "value": value}),
                "custom fields",
                words,
            )
        }
        BulkAction::Trash => (&store::TRASH, serde_json::Value::Null, "", crate::summary!(BulkTrashed)),
        BulkAction::Restore => (
            &store::RESTORE,
            serde_json::Value::Null,
            "",
            crate::summary!(BulkRestored),
        ),
    })
}

/// The words of a batch's undo: what the batch said, with its parameters for the web app.
fn undone(row: &store::BatchRow) -> Summary {
    let mut summary = crate::summary!(BulkUndone, change = row.summary);
    if let (Some(message), Some(params)) = (row.message, row.params.as_object()) {
        summary = summary.with("change_code", message);
        for (key, value) in params {
            if let Some(value) = value.as_str() {
                summary = summary.with(key, value);
            }
        }
    }
    summary
}

/// A problem about the body's `action`, its fields named under it.
fn prefixed(e: AppError, under: &str) -> AppError {
    if e.code() != "validation_failed" {
        return e;
    }
    let errors: Vec<FieldError> = e
        .field_errors()
        .iter()
        .map(|f| FieldError::new(format!("{under}.{}", f.field), f.message.clone()))
        .collect();
    AppError::validation(errors)
}

/// The records a request names: its ids, or those its filter matches (at most [`MAX_RECORDS`]).
async fn selection(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: BulkKind,
    req: &BulkRequest,
    viewer: Viewer,
) -> AppResult<Vec<Uuid>> {
    let me = viewer.user;
    let from_view = match req.view_id {
        Some(_) if req.ids.is_some() || req.filter.is_some() => {
            return Err(AppError::invalid_field(
                "view_id",
                "give ids, filter or view_id: one of them",
            ));
        }
        Some(view) => {
            let kind = match kind {
                BulkKind::Contact => ViewKind::Contact,
                BulkKind::Company => ViewKind::Company,
                BulkKind::Deal => ViewKind::Deal,
            };
            Some(views::service::query_for(conn, workspace, view, kind, viewer).await?)
        }
        None => None,
    };
    match (&req.ids, req.filter.as_deref().or(from_view.as_deref())) {
        (Some(_), Some(_)) => Err(AppError::invalid_field("filter", "give ids or filter, not both")),
        (None, None) => Err(AppError::invalid_field(
            "ids",
            "name the records: ids, a filter or a view",
        )),
        (Some(ids), None) => {
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            Ok(unique)
        }
        (None, Some(filter)) => {
            let bad = |e: AppError| prefixed(e, "filter");
            let ids = match kind {
                BulkKind::Contact => {
                    let params = actix_web::web::Query::<ListContactsParams>::from_query(filter)
                        .map_err(|e| AppError::invalid_field("filter", format!("not a list query: {e}")))?;
                    let query = ContactQuery::from_params(&params, me).map_err(bad)?;
                    contacts::service::ids_matching(conn, workspace, query, params.custom_field.as_deref(), MAX_RECORDS)
                        .await
                        .map_err(bad)?
                }
                BulkKind::Company => {
                    let params = actix_web::web::Query::<ListCompaniesParams>::from_query(filter)
                        .map_err(|e| AppError::invalid_field("filter", format!("not a list query: {e}")))?;
                    let query = CompanyQuery::from_params(&params).map_err(bad)?;
                    companies::service::ids_matching(conn, workspace, query, MAX_RECORDS)
                        .await
                        .map_err(bad)?
                }
                BulkKind::Deal => {
                    return Err(AppError::invalid_field(
                        "filter",
                        "deals are chosen by ids (a filter selects contacts or companies)",
                    ));
                }
            };
            if ids.len() > MAX_RECORDS {
                return Err(AppError::invalid_field(
                    "filter",
                    format!("matches more than {MAX_RECORDS} records: narrow it down"),
                ));
            }
            Ok(ids)
        }
    }
}

/// Applies the request's change to its records.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: BulkKind,
    req: BulkRequest,
    viewer: Viewer,
    now: DateTime<Utc>,
) -> AppResult<BulkResult> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let (change, param, fields, summary) = plan(conn, workspace, kind, &req.action).await?;
        let ids = selection(conn, workspace, kind, &req, viewer).await?;
        let actor = crate::accounts::actor::current();
        let batch = Batch {
            id: Uuid::now_v7(),
            kind,
            now,
            actor_id: actor.as_ref().map(|a| a.user_id),
            actor_name: actor.as_ref().map(|a| a.name.as_str()),
            fields,
        };
        store::insert_batch(
            conn,
            &BatchRow {
                id: batch.id,
                workspace_id: workspace,
                kind,
                action: serde_json::to_value(&req.action).map_err(AppError::internal)?,
                summary: String::new(),
                message: None,
                params: serde_json::json!({}),
                records: 0,
                created_at: now,
                created_by: batch.actor_id,
                undone_at: None,
            },
        )
        .await?;
        // Thousands of records' new index entries are merged into the search indexes once.
        crate::search::service::defer_index_merges(conn).await?;
        let outcomes: std::collections::HashMap<Uuid, store::Outcome> =
            store::apply(conn, workspace, &batch, change, &param, &ids)
                .await?
                .into_iter()
                .map(|o| (o.id, o))
                .collect();
        crate::search::service::merge_pending(conn, store::table(kind)).await?;
        let mut items: Vec<BulkItem> = Vec::with_capacity(ids.len());
        let (mut updated, mut unchanged) = (0, 0);
        let mut changed_ids = Vec::new();
        for id in &ids {
            let found = outcomes.get(id);
            let (outcome, error) = match found {
                None => (BulkOutcome::NotFound, None),
                Some(o) if o.updated => (BulkOutcome::Updated, None),
                Some(o) if o.refused.is_some() => (BulkOutcome::Refused, o.refused.clone()),
                Some(o) if o.trashed => (BulkOutcome::Trashed, None),
                Some(_) => (BulkOutcome::Unchanged, None),
            };
            match outcome {
                BulkOutcome::Updated => {
                    updated += 1;
                    changed_ids.push(*id);
                }
                BulkOutcome::Unchanged => unchanged += 1,
                _ => {}
            }
            items.push(BulkItem {
                id: *id,
                outcome,
                error,
            });
        }
        let summary = summary.with("n", updated).with("kind", kind);
        if updated == 0 {
            store::delete_batch(conn, workspace, batch.id).await?;
        } else {
            store::describe_batch(conn, workspace, batch.id, &summary, updated as i32).await?;
            if kind == BulkKind::Contact && matches!(req.action, BulkAction::SetLifecycle { .. }) {
                contacts::store::refresh_follow_ups(conn, workspace, &changed_ids).await?;
            }
            activity::service::record(
                conn,
                workspace,
                HistoryChange {
                    entity: Entity::Bulk,
                    entity_id: batch.id,
                    action: Action::Updated,
                    summary: summary.clone(),
                    contact_id: None,
                    fields: &[],
                },
            )
            .await?;
        }
        Ok(BulkResult {
            batch_id: (updated > 0).then_some(batch.id),
            summary: summary.english(),
            message: summary.message(),
            updated,
            unchanged,
            skipped: ids.len() as i64 - updated - unchanged,
            items,
        })
    })
    .await
}

/// Undoes a batch made at most [`UNDO_DAYS`] before `now`.
pub async fn undo(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    batch_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<BulkUndo> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = store::lock_batch(conn, workspace, batch_id)
            .await?
            .ok_or_else(|| AppError::not_found("the batch"))?;
        if row.undone_at.is_some() {
            return Err(AppError::conflict("already_undone", "this batch was already undone"));
        }
        if now > row.created_at + Duration::days(UNDO_DAYS) {
            return Err(AppError::conflict(
                "undo_expired",
                format!("a bulk change can be undone for {UNDO_DAYS} days; this one is older"),
            ));
        }
        let action: BulkAction = serde_json::from_value(row.action.clone()).map_err(AppError::internal)?;
        // What to put back is in the batch's items; the custom field's key is all the undo needs
        // (its definition may have changed since).
        let (change, param) = match &action {
            BulkAction::AddTags { .. } => (&store::ADD_TAGS, serde_json::Value::Null),
            BulkAction::RemoveTags { .. } => (&store::REMOVE_TAGS, serde_json::Value::Null),
            BulkAction::SetLifecycle { .. } => (&store::SET_LIFECYCLE, serde_json::Value::Null),
            BulkAction::SetStage { stage_id } => (&store::SET_STAGE, serde_json::json!({"stage_id": stage_id})),
            BulkAction::SetOwner { .. } => (&store::SET_OWNER, serde_json::Value::Null),
            BulkAction::SetCustomField { key, .. } => (&store::SET_CUSTOM_FIELD, serde_json::json!({"key": key})),
            BulkAction::Trash => (&store::TRASH, serde_json::Value::Null),
            BulkAction::Restore => (&store::RESTORE, serde_json::Value::Null),
        };
        let actor = crate::accounts::actor::current();
        let batch = Batch {
            id: row.id,
            kind: row.kind,
            now,
            actor_id: actor.as_ref().map(|a| a.user_id),
            actor_name: actor.as_ref().map(|a| a.name.as_str()),
            fields: "",
        };
        crate::search::service::defer_index_merges(conn).await?;
        let done = store::undo(conn, workspace, &batch, change, &param).await?;
        crate::search::service::merge_pending(conn, store::table(row.kind)).await?;
        if row.kind == BulkKind::Contact && matches!(action, BulkAction::SetLifecycle { .. }) {
            contacts::store::refresh_follow_ups(conn, workspace, &done.ids).await?;
        }
        store::mark_undone(conn, workspace, row.id, now).await?;
        activity::service::record(
            conn,
            workspace,
            HistoryChange {
                entity: Entity::Bulk,
                entity_id: row.id,
                action: Action::Updated,
                summary: undone(&row),
                contact_id: None,
                fields: &[],
            },
        )
        .await?;
        Ok(BulkUndo {
            batch_id: row.id,
            restored: done.restored,
            kept: done.kept,
        })
    })
    .await
}
