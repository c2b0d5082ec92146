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

/// Erases the contact `id` on request, in one transaction: the record with its interactions,
/// reminders and conversations; the assistant's answers about them; the history's mentions of
/// them (rewritten to "Erased on request" — the one change the history allows); other stored
/// copies (answers of retried requests, records of imported files). Payments and deals stay,
/// without the person. The erasure itself is recorded without personal data.
pub async fn erase(
    conn: &mut diesel_async::AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    confirm_name: &str,
) -> AppResult<super::dto::Erasure> {
    use diesel_async::AsyncConnection;

    use super::store;
    use crate::activity::service::{Action, Change, Entity};
    use crate::error::AppError;

    let contact = crate::contacts::service::get(conn, workspace, id, true).await?;
    if confirm_name.trim().to_lowercase() != contact.display_name.trim().to_lowercase() {
        return Err(AppError::invalid_field(
            "confirm_name",
            "is not the contact's name as shown; type it to confirm the erasure",
        ));
    }
    let mut needles: Vec<String> = contact.emails.iter().map(|e| e.to_lowercase()).collect();
    needles.push(id.to_string());
    let name = contact.display_name.trim().to_lowercase();
    // A name of a letter or two would match half the history.
    let names: Vec<String> = if name.chars().count() >= 4 {
        vec![name.clone()]
    } else {
        Vec::new()
    };
    needles.extend(names.iter().cloned());
    conn.transaction::<_, AppError, _>(async move |conn| {
        let held = store::lock_and_count(conn, workspace, id)
            .await?
            .ok_or_else(|| AppError::not_found("contact"))?;
        store::allow_history_scrub(conn, workspace, id).await?;
        let ai_answers = store::delete_ai_answers(conn, workspace, id, &needles).await? as i64;
        let mut other = store::delete_stored_responses(conn, workspace, &needles).await? as i64;
        other += store::delete_webhook_deliveries(conn, workspace, &needles).await? as i64;
        other += store::delete_email_jobs(conn, workspace, id, &needles).await? as i64;
        other += store::delete_form_submissions(conn, workspace, id, &needles).await? as i64;
        other += store::delete_import_records(conn, workspace, id, &needles).await? as i64;
        other += store::delete_merge_and_bulk_records(conn, workspace, id).await?;
        store::delete_contact(conn, workspace, id).await?;
        // After the delete: the entries its cascade wrote (if any) are scrubbed too.
        let history_entries = store::scrub_history(conn, workspace, id, &names).await? as i64;
        let change = Change {
            entity: Entity::Contact,
            entity_id: id,
            action: Action::Erased,
            summary: crate::summary!(ContactErased),
            contact_id: None,
            fields: &[],
        };
        crate::activity::service::record(conn, workspace, change).await?;
        Ok(super::dto::Erasure {
            erased_at: Utc::now(),
            interactions: held.interactions,
            reminders: held.reminders,
            conversations: held.conversations,
            ai_answers,
            history_entries,
            other_copies: other,
            payments_kept: held.payments,
            deals_kept: held.deals,
        })
    })
    .await
}
