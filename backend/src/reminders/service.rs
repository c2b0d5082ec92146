//! Reminder rules: the contact must be live, and every change reschedules its follow-up in the
//! same statement.

use std::collections::HashMap;

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::dto::{CreateReminder, ListRemindersParams, Reminder, ReminderOrigin, ReminderPage, UpdateReminder};
use super::store::{self, ReminderChangeset, ReminderRow, Status};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::contacts;
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::dto::clean;
use crate::error::{AppError, AppResult};
use crate::http::params::{self, ParamErrors};

const NOT_FOUND: &str = "the reminder";
const SOONEST_FIRST: Sort = Sort {
    key: SortKey {
        name: "due_at",
        sql: "reminders.due_at",
        kind: KeyKind::Time,
    },
    descending: false,
};

/// A change's history entry; its contact is the one the statement writing it reads.
fn record(id: Uuid, action: Action, summary: crate::activity::message::Summary) -> Change<'static> {
    Change {
        entity: Entity::Reminder,
        entity_id: id,
        action,
        summary,
        contact_id: None,
        fields: &[],
    }
}

fn to_dto(row: ReminderRow) -> Reminder {
    Reminder {
        id: row.id,
        contact_id: row.contact_id,
        deal_id: row.deal_id,
        assignee_id: row.assignee_id,
        title: row.title,
        notes: row.notes,
        due_at: row.due_at,
        completed_at: row.completed_at,
        origin: row.origin,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn written(outcome: WriteOutcome<ReminderRow>) -> AppResult<ReminderRow> {
    outcome.into_result(NOT_FOUND)
}

/// A page of reminders; `me` is the caller (for `assignee=me`).
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &ListRemindersParams,
    me: Uuid,
) -> AppResult<ReminderPage> {
    let mut errors = ParamErrors::default();
    let assignee = errors
        .take(params::owner("assignee", p.assignee.as_deref(), me))
        .flatten();
    let status = match p.status.as_deref().map(str::trim).unwrap_or("open") {
        "" | "open" => Some(Status::Open),
        "done" => Some(Status::Done),
        "all" => Some(Status::All),
        _ => {
            errors.push("status", "must be one of: open, done, all");
            None
        }
    };
    let contact = errors
        .take(crate::http::params::uuid("contact_id", p.contact_id.as_deref()))
        .flatten();
    let limit = errors.take(params::limit(p.limit.as_deref()));
    let after = errors.take(SOONEST_FIRST.after(p.cursor.as_deref())).flatten();
    errors.finish()?;
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let rows = store::list(
        conn,
        workspace,
        store::ReminderFilter {
            status: status.unwrap_or(Status::Open),
            contact,
            assignee,
        },
        &SOONEST_FIRST,
        after.as_ref(),
        limit,
    )
    .await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &SOONEST_FIRST, |r| (SortValue::Time(r.due_at), r.id));
    Ok(ReminderPage {
        items: rows.into_iter().map(to_dto).collect(),
        next_cursor,
    })
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Reminder> {
    store::find(conn, workspace, id)
        .await?
        .map(to_dto)
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

/// The earliest open reminder of each of these contacts.
pub async fn earliest_open(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contacts: &[Uuid],
) -> AppResult<HashMap<Uuid, Reminder>> {
    Ok(store::earliest_open(conn, workspace, contacts)
        .await?
        .into_iter()
        .map(|r| (r.contact_id, to_dto(r)))
        .collect())
}

/// A reminder, its history entry and its contact's follow-up: one statement, which writes
/// nothing when the contact is missing or in the trash (a deal it names is checked first).
pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateReminder,
) -> AppResult<Reminder> {
    let no_contact = || AppError::invalid_field("contact_id", "no contact (outside the trash) has this id");
    let now = Utc::now();
    let row = ReminderRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        contact_id: input.contact_id,
        title: input.title.trim().to_owned(),
        notes: clean(input.notes),
        due_at: input.due_at,
        completed_at: None,
        origin: ReminderOrigin::Manual,
        created_at: now,
        updated_at: now,
        version: 1,
        deal_id: input.deal_id,
        assignee_id: input
            .assignee_id
            .unwrap_or_else(|| crate::accounts::actor::current().map(|a| a.user_id)),
    };
    if let Some(deal) = row.deal_id {
        // A missing contact is the first thing to answer, before anything about the deal.
        contacts::service::require(conn, workspace, row.contact_id, true)
            .await
            .map_err(|_| no_contact())?;
        crate::deals::service::check_link(conn, workspace, deal, row.contact_id).await?;
    }
    // The statement reads the contact's name itself and fills it in.
    let summary = crate::summary!(ReminderCreated, name = "", title = row.title);
    let template = summary.english_template(&["name"]);
    let history = activity::service::entry(workspace, record(row.id, Action::Created, summary), now);
    let row = store::insert_recorded(conn, &row, (&history, &template))
        .await?
        .ok_or_else(no_contact)?;
    Ok(to_dto(row))
}

/// Applies a change, writes its history entry and reschedules the contact, in one statement.
async fn change(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: ReminderChangeset,
    expected: Option<i32>,
    action: Action,
) -> AppResult<Reminder> {
    // The statement reads the contact's name and the title as the change leaves it.
    let summary = match action {
        Action::Completed => crate::summary!(ReminderCompleted, name = "", title = ""),
        Action::Reopened => crate::summary!(ReminderReopened, name = "", title = ""),
        Action::Snoozed => crate::summary!(ReminderSnoozed, name = "", title = ""),
        _ => crate::summary!(ReminderEdited, name = "", title = ""),
    };
    let template = summary.english_template(&["name", "title"]);
    let history = activity::service::entry(workspace, record(id, action, summary), Utc::now());
    let row = written(store::update_recorded(conn, workspace, id, &changes, expected, (&history, &template)).await?)?;
    Ok(to_dto(row))
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateReminder,
    expected: Option<i32>,
) -> AppResult<Reminder> {
    if let Some(Some(deal)) = input.deal_id {
        let current = store::find(conn, workspace, id)
            .await?
            .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
        crate::deals::service::check_link(conn, workspace, deal, current.contact_id).await?;
    }
    let changes = ReminderChangeset {
        assignee_id: input.assignee_id,
        deal_id: input.deal_id,
        title: input.title.map(|t| t.trim().to_owned()),
        notes: input.notes.map(clean),
        due_at: input.due_at,
        completed_at: None,
    };
    change(conn, workspace, id, changes, expected, Action::Updated).await
}

pub async fn complete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    done: bool,
) -> AppResult<Reminder> {
    let current = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    if current.completed_at.is_some() == done {
        return Ok(to_dto(current));
    }
    let changes = ReminderChangeset {
        completed_at: Some(done.then(Utc::now)),
        ..Default::default()
    };
    let action = if done { Action::Completed } else { Action::Reopened };
    change(conn, workspace, id, changes, Some(current.version), action).await
}

pub async fn snooze(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    until: chrono::DateTime<Utc>,
) -> AppResult<Reminder> {
    if until <= Utc::now() {
        return Err(AppError::invalid_field("until", "must be in the future"));
    }
    let changes = ReminderChangeset {
        due_at: Some(until),
        completed_at: Some(None),
        ..Default::default()
    };
    change(conn, workspace, id, changes, None, Action::Snoozed).await
}

/// Deletes a reminder, writes its history entry and reschedules the contact, in one statement.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    let summary = crate::summary!(ReminderDeleted, name = "", title = "");
    let template = summary.english_template(&["name", "title"]);
    let history = activity::service::entry(workspace, record(id, Action::Deleted, summary), Utc::now());
    written(store::delete_recorded(conn, workspace, id, expected, (&history, &template)).await?)?;
    Ok(())
}

/// Announces the reminders whose time came by `now` (in every workspace): each once, as a
/// history entry that webhooks (`reminder.due`) and live updates pick up. Returns how many.
pub async fn announce_due(conn: &mut AsyncPgConnection, now: chrono::DateTime<chrono::Utc>) -> AppResult<usize> {
    let mut total = 0;
    loop {
        let n = store::announce_due(conn, now, 500).await?;
        total += n;
        if n < 500 {
            return Ok(total);
        }
    }
}
