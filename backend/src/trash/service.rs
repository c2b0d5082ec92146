//! The trash list, deleting for good on request, and the daily purge of what has been in the
//! trash for 30 days.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{PurgeResult, PurgeTrash, TrashItem, TrashPage, TrashType};
use super::store;
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::db::WorkspaceId;
use crate::db::cursor::Cursor;
use crate::error::{AppError, AppResult};

const SORT: &str = "-deleted_at";

/// Reads a cursor of this list: the last item's deletion time and id.
pub fn after(raw: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let c = Cursor::decode(raw).filter(|c| c.sort == SORT)?;
    let at = DateTime::parse_from_rfc3339(&c.value).ok()?.with_timezone(&Utc);
    Some((at, c.id))
}

/// A page of the workspace's trash (these kinds, or all), most recently trashed first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kinds: &[TrashType],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> AppResult<TrashPage> {
    let kinds = if kinds.is_empty() { TrashType::ALL } else { kinds };
    let mut rows = store::list(conn, workspace, kinds, after, limit + 1).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| {
            Cursor {
                sort: SORT.into(),
                value: r.deleted_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                id: r.id,
            }
            .encode()
        })
    } else {
        None
    };
    Ok(TrashPage {
        items: rows
            .into_iter()
            .filter_map(|r| {
                Some(TrashItem {
                    kind: r.kind.parse().ok()?,
                    id: r.id,
                    title: r.title,
                    subtitle: r.subtitle,
                    deleted_at: r.deleted_at,
                    purge_at: r.purge_at,
                })
            })
            .collect(),
        next_cursor,
    })
}

fn entity(kind: TrashType) -> Entity {
    match kind {
        TrashType::Contact => Entity::Contact,
        TrashType::Company => Entity::Company,
        TrashType::Deal => Entity::Deal,
    }
}

/// Deletes for good, in one transaction, the records of one kind among `ids` that are in the
/// trash, recording each in the history; payments and accepted proposals are kept, detached.
async fn purge_in(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: TrashType,
    ids: &[Uuid],
    why: &'static str,
    now: DateTime<Utc>,
) -> AppResult<PurgeResult> {
    let ids = ids.to_vec();
    conn.transaction::<_, AppError, _>(async move |conn| {
        let proposals_kept = if kind == TrashType::Deal {
            store::detach_accepted_proposals(conn, workspace, &ids, now).await? as i64
        } else {
            0
        };
        let gone = store::purge(conn, workspace, kind, &ids).await?;
        let mut result = PurgeResult {
            purged: gone.len() as i64,
            payments_kept: 0,
            proposals_kept,
        };
        result.payments_kept = gone.iter().map(|g| g.payments).sum();
        let changes = gone
            .iter()
            .map(|g| Change {
                entity: entity(kind),
                entity_id: g.id,
                action: Action::Deleted,
                summary: if why.is_empty() {
                    crate::summary!(Purged, name = g.name)
                } else {
                    crate::summary!(PurgedExpired, name = g.name)
                },
                contact_id: None,
                fields: &[],
            })
            .collect();
        activity::service::record_all(conn, workspace, changes).await?;
        Ok(result)
    })
    .await
}

/// Deletes for good records of one kind that are in the workspace's trash; any id that is not
/// (live, unknown, another kind or another workspace's) refuses the whole request.
pub async fn purge(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: PurgeTrash,
    now: DateTime<Utc>,
) -> AppResult<PurgeResult> {
    let mut ids = input.ids;
    ids.sort_unstable();
    ids.dedup();
    let found = store::trashed_count(conn, workspace, input.kind, &ids).await?;
    if found != ids.len() as i64 {
        return Err(AppError::invalid_field(
            "ids",
            format!(
                "must all be {}s in the trash ({} of {} are); restore or trash them first, or leave them out",
                input.kind,
                found,
                ids.len()
            ),
        ));
    }
    purge_in(conn, workspace, input.kind, &ids, "", now).await
}

/// Records purged per run at most, per kind (the next run continues).
const BATCH: i64 = 500;

/// Deletes for good, in every workspace, what has been in the trash for its 30 days at `now`
/// (counted from the trashing or from when purging started, whichever is later) — records
/// merged into others too, once their merge can no longer be undone — and forgets the values
/// merges and bulk changes older than their undo window replaced.
pub async fn purge_expired(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> AppResult<PurgeResult> {
    let mut total = PurgeResult::default();
    for kind in TrashType::ALL {
        let due = store::expired(conn, *kind, now, BATCH).await?;
        let mut by_workspace: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for e in due {
            by_workspace.entry(e.workspace_id).or_default().push(e.id);
        }
        for (workspace, ids) in by_workspace {
            let workspace = WorkspaceId::checked(workspace);
            let r = purge_in(conn, workspace, *kind, &ids, " after 30 days in the trash", now).await?;
            total.purged += r.purged;
            total.payments_kept += r.payments_kept;
            total.proposals_kept += r.proposals_kept;
        }
    }
    // Merges and bulk changes past their undo window keep no copies of the values they replaced.
    crate::merges::store::forget_undo_data(conn, now - chrono::Duration::days(crate::merges::service::UNDO_DAYS))
        .await?;
    crate::bulk::store::purge_batches(conn, now - chrono::Duration::days(crate::bulk::service::UNDO_DAYS)).await?;
    Ok(total)
}
