//! The first-run checklist and the demo data switch.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{ChecklistItem, DemoCounts, DemoState, Onboarding, Step};
use super::store;
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};

/// The checklist as `user` sees it in this workspace.
pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> AppResult<Onboarding> {
    let p = store::progress(conn, workspace, user).await?;
    let items: Vec<ChecklistItem> = [
        (Step::ImportContacts, p.imported),
        (Step::SetCadences, p.cadences),
        (Step::ConnectCalendar, p.calendar),
        (Step::AddPipelineStage, p.stage),
        (Step::InviteColleague, p.invited),
        (Step::TryAssistant, p.assistant),
    ]
    .into_iter()
    .map(|(step, done)| ChecklistItem { step, done })
    .collect();
    let can_load = !p.has_demo && !store::has_records(conn, workspace).await?;
    Ok(Onboarding {
        done: items.iter().filter(|i| i.done).count() as i32,
        total: items.len() as i32,
        items,
        dismissed: p.dismissed,
        demo: DemoState {
            loaded: p.has_demo,
            can_load,
        },
    })
}

/// Puts the checklist away for `user` (`dismissed: false` brings it back).
pub async fn dismiss(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    dismissed: bool,
    now: DateTime<Utc>,
) -> AppResult<Onboarding> {
    store::set_dismissed(conn, workspace, user, dismissed.then_some(now)).await?;
    get(conn, workspace, user).await
}

fn counts_of(by_kind: &[(String, i64)]) -> DemoCounts {
    let n = |kind: &str| by_kind.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n);
    DemoCounts {
        contacts: n("contact"),
        companies: n("company"),
        deals: n("deal"),
        products: n("product"),
        proposals: n("proposal"),
        payments: n("payment"),
    }
}

/// Loads the demo practice (contacts, companies, deals, products, proposals, payments) into a
/// workspace without records, marked so that [`remove_demo`] takes out exactly them; 409
/// `workspace_not_empty` otherwise.
pub async fn load_demo(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<DemoCounts> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        store::lock_workspace(conn, workspace).await?;
        if store::has_records(conn, workspace).await? {
            return Err(AppError::conflict(
                "workspace_not_empty",
                "demo data goes into a workspace without contacts, companies, deals, products or payments",
            ));
        }
        crate::demo::load(conn, workspace).await.map_err(AppError::internal)?;
        store::mark_all_as_demo(conn, workspace).await?;
        Ok(counts_of(&store::demo_counts(conn, workspace).await?))
    })
    .await
}

/// Deletes the demo records for good (with their timelines and history); records people added
/// stay. 409 `no_demo_data` when there are none.
pub async fn remove_demo(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<DemoCounts> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let deleted = store::delete_demo(conn, workspace).await?;
        if deleted.iter().all(|(_, n)| *n == 0) {
            return Err(AppError::conflict("no_demo_data", "the workspace holds no demo data"));
        }
        Ok(counts_of(&deleted))
    })
    .await
}
