//! Reminder rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::ReminderOrigin;
use crate::db::WorkspaceId;
use crate::db::keyset::{Sort, SortValue};
use crate::db::schema::reminders;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reminders, check_for_backend(Pg))]
pub struct ReminderRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub contact_id: Uuid,
    pub title: String,
    pub notes: Option<String>,
    pub due_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub origin: ReminderOrigin,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub deal_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = reminders)]
pub struct ReminderChangeset {
    pub assignee_id: Option<Option<Uuid>>,
    pub deal_id: Option<Option<Uuid>>,
    pub title: Option<String>,
    pub notes: Option<Option<String>>,
    pub due_at: Option<DateTime<Utc>>,
    pub completed_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Done,
    All,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ReminderRow) -> QueryResult<ReminderRow> {
    diesel::insert_into(reminders::table)
        .values(row)
        .returning(ReminderRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<ReminderRow>> {
    reminders::table
        .filter(reminders::workspace_id.eq(workspace).and(reminders::id.eq(id)))
        .select(ReminderRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Which reminders a list shows.
#[derive(Debug, Clone, Copy)]
pub struct ReminderFilter {
    pub status: Status,
    pub contact: Option<Uuid>,
    /// `Some(None)`: reminders assigned to nobody.
    pub assignee: Option<Option<Uuid>>,
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    filter: ReminderFilter,
    sort: &Sort,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ReminderRow>> {
    let mut query = reminders::table
        .filter(reminders::workspace_id.eq(workspace))
        .select(ReminderRow::as_select())
        .into_boxed();
    let ReminderFilter {
        status,
        contact,
        assignee,
    } = filter;
    query = match status {
        Status::Open => query.filter(reminders::completed_at.is_null()),
        Status::Done => query.filter(reminders::completed_at.is_not_null()),
        Status::All => query,
    };
    if let Some(contact) = contact {
        query = query.filter(reminders::contact_id.eq(contact));
    }
    match assignee {
        None => {}
        Some(Some(a)) => query = query.filter(reminders::assignee_id.eq(a)),
        Some(None) => query = query.filter(reminders::assignee_id.is_null()),
    }
    if let Some((value, id)) = after {
        query = query.filter(sort.condition::<reminders::table>("reminders.id", value, *id));
    }
    query
        .order(sql::<Text>(&sort.order_sql("reminders.id")))
        .limit(limit + 1)
        .load(conn)
        .await
}

/// The earliest open reminder of each of these contacts, in one query.
pub async fn earliest_open(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contacts: &[Uuid],
) -> QueryResult<Vec<ReminderRow>> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    reminders::table
        .filter(reminders::workspace_id.eq(workspace))
        .filter(reminders::contact_id.eq_any(contacts))
        .filter(reminders::completed_at.is_null())
        .distinct_on(reminders::contact_id)
        .order((reminders::contact_id, reminders::due_at, reminders::id))
        .select(ReminderRow::as_select())
        .load(conn)
        .await
}

crate::versioned_writes!(reminders, ReminderRow, ReminderChangeset);

/// Announces up to `limit` reminders whose time came by `now` (open, not yet announced, of a
/// contact outside the trash), in every workspace: marks them and writes their history entry
/// (action `due`, no actor) in one statement. Returns how many.
pub async fn announce_due(conn: &mut AsyncPgConnection, now: DateTime<Utc>, limit: i64) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH due AS ( \
           UPDATE reminders r SET due_announced_at = $1 \
           WHERE r.id IN ( \
             SELECT x.id FROM reminders x JOIN contacts c ON c.id = x.contact_id AND c.deleted_at IS NULL \
             WHERE x.completed_at IS NULL AND x.due_announced_at IS NULL AND x.due_at <= $1 \
             ORDER BY x.due_at LIMIT $2 FOR UPDATE OF x SKIP LOCKED) \
           RETURNING r.id, r.workspace_id, r.contact_id, r.title) \
         INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, \
                               message, params) \
         SELECT uuid_v7(), due.workspace_id, 'reminder', due.id, 'due', 'Reminder due: ' || due.title, \
                due.contact_id, '{}', $1, 'reminder_due', jsonb_build_object('title', due.title) \
         FROM due",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .execute(conn)
    .await
}
