//! Putting a person's data together from each domain's own reads, page after page.

use chrono::Utc;
use uuid::Uuid;

use super::dto::PersonalData;
use crate::activity::service::Scope;
use crate::db::WorkspaceId;
use crate::deals::dto::ListDealsParams;
use crate::error::AppResult;
use crate::http::params::MAX_LIMIT;
use crate::interactions::service::TimelineQuery;
use crate::payments::dto::ListPaymentsParams;
use crate::proposals::dto::ListProposalsParams;
use crate::reminders::dto::ListRemindersParams;
use crate::state::AppState;

/// Everything held about the contact `id` (one in the trash too, with `include_trashed`).
pub async fn export(
    state: &AppState,
    workspace: WorkspaceId,
    me: Uuid,
    id: Uuid,
    include_trashed: bool,
) -> AppResult<PersonalData> {
    let mut conn = state.conn().await?;
    let contact = crate::contacts::service::get(&mut conn, workspace, id, include_trashed).await?;
    let limit = Some(MAX_LIMIT.to_string());
    let page_size = MAX_LIMIT.to_string();

    let mut interactions = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = TimelineQuery::parse(Some(&page_size), cursor.as_deref(), None)?;
        let page = crate::interactions::service::timeline(&mut conn, workspace, id, &q, true).await?;
        interactions.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }

    let mut deals = Vec::new();
    for trashed in ["false", "true"] {
        let mut p = ListDealsParams {
            contact_id: Some(id.to_string()),
            trashed: Some(trashed.into()),
            limit: limit.clone(),
            ..Default::default()
        };
        loop {
            let page = crate::deals::service::list(&mut conn, workspace, &p, me).await?;
            deals.extend(page.items);
            match page.next_cursor {
                Some(next) => p.cursor = Some(next),
                None => break,
            }
        }
    }

    let mut reminders = Vec::new();
    let mut p = ListRemindersParams {
        status: Some("all".into()),
        contact_id: Some(id.to_string()),
        limit: limit.clone(),
        ..Default::default()
    };
    loop {
        let page = crate::reminders::service::list(&mut conn, workspace, &p, me).await?;
        reminders.extend(page.items);
        match page.next_cursor {
            Some(next) => p.cursor = Some(next),
            None => break,
        }
    }

    let mut payments = Vec::new();
    let mut p = ListPaymentsParams {
        contact_id: Some(id.to_string()),
        limit: limit.clone(),
        ..Default::default()
    };
    loop {
        let page = crate::payments::service::list(&mut conn, workspace, &p).await?;
        payments.extend(page.items);
        match page.next_cursor {
            Some(next) => p.cursor = Some(next),
            None => break,
        }
    }

    let mut proposals = Vec::new();
    for deal in &deals {
        let mut p = ListProposalsParams {
            deal_id: Some(deal.id.to_string()),
            limit: limit.clone(),
            ..Default::default()
        };
        loop {
            let page = crate::proposals::service::list(&mut conn, workspace, &p).await?;
            proposals.extend(page.items);
            match page.next_cursor {
                Some(next) => p.cursor = Some(next),
                None => break,
            }
        }
    }

    let mut history = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = crate::activity::service::list(
            &mut conn,
            workspace,
            Scope::Contact(id),
            Some(&page_size),
            cursor.as_deref(),
        )
        .await?;
        history.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    drop(conn);

    let mut ai_conversations = Vec::new();
    for summary in crate::ai::chat::list(state, workspace, id, true).await?.items {
        ai_conversations.push(crate::ai::chat::get(state, workspace, summary.id).await?);
    }

    Ok(PersonalData {
        exported_at: Utc::now(),
        workspace_id: workspace.uuid(),
        contact,
        interactions,
        deals,
        reminders,
        payments,
        proposals,
        ai_conversations,
        history,
    })
}
