//! Reminder rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::ReminderOrigin;
use crate::activity::{self, store::ActivityRow};
use crate::contacts::{self, store::ReminderChange};
use crate::db::keyset::{Sort, SortValue};
use crate::db::schema::reminders;
use crate::db::statement::Statement;
use crate::db::{WorkspaceId, WriteOutcome};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
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

#[derive(Debug, Default)]
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

/// Creates a reminder of a live contact together with its history entry (which names the
/// contact: `template`, see `Summary::english_template`) and the contact's follow-up, in one
/// statement. Writes nothing and returns `None` when the contact is missing or in the trash.
pub async fn insert_recorded(
    conn: &mut AsyncPgConnection,
    row: &ReminderRow,
    (history, template): (&ActivityRow, &str),
) -> QueryResult<Option<ReminderRow>> {
    use diesel::sql_types::{Int4, Nullable, Timestamptz, Uuid as SqlUuid};
    Statement::new()
        .sql("WITH clock AS (SELECT ")
        .bind::<Timestamptz, _>(history.occurred_at)
        .sql("::timestamptz AS at), target AS (")
        .part(contacts::store::live_name(row.workspace_id, row.contact_id))
        .sql(
            "), created AS (INSERT INTO reminders (id, workspace_id, contact_id, title, notes, due_at, completed_at, \
             origin, created_at, updated_at, version, deal_id, assignee_id) SELECT ",
        )
        .bind::<SqlUuid, _>(row.id)
        .sql(", ")
        .bind::<SqlUuid, _>(row.workspace_id)
        .sql(", target.contact_id, ")
        .bind::<Text, _>(&row.title)
        .sql(", ")
        .bind::<Nullable<Text>, _>(&row.notes)
        .sql(", ")
        .bind::<Timestamptz, _>(row.due_at)
        .sql(", ")
        .bind::<Nullable<Timestamptz>, _>(row.completed_at)
        .sql(", ")
        .bind::<Text, _>(row.origin)
        .sql(", ")
        .bind::<Timestamptz, _>(row.created_at)
        .sql(", ")
        .bind::<Timestamptz, _>(row.updated_at)
        .sql(", ")
        .bind::<Int4, _>(row.version)
        .sql(", ")
        .bind::<Nullable<SqlUuid>, _>(row.deal_id)
        .sql(", ")
        .bind::<Nullable<SqlUuid>, _>(row.assignee_id)
        .sql(" FROM target RETURNING ")
        .part(ReminderRow::as_returning())
        .sql("), history AS (")
        .part(activity::store::insert_one_named(
            history,
            template,
            "target",
            &["name"],
        ))
        .sql("), followed AS (")
        .part(contacts::store::follow_up_after_reminder(
            row.workspace_id,
            ReminderChange::Created,
        ))
        .sql(") SELECT * FROM created")
        .get_result(conn)
        .await
        .optional()
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

/// A change of a reminder (at `expected` when given), its history entry and its contact's
/// follow-up as the change leaves it, in one statement. The entry names the contact and the
/// reminder's title as the change leaves them (`template`, formatted with both: see
/// `Summary::english_template`). Every column is named whether the change sets it or not, so the
/// text is the same at every change and kept prepared.
pub async fn update_recorded(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: &ReminderChangeset,
    expected: Option<i32>,
    (history, template): (&ActivityRow, &str),
) -> QueryResult<WriteOutcome<ReminderRow>> {
    use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
    let c = changes;
    let update = Statement::new()
        .sql("UPDATE reminders SET ")
        .assign::<SqlUuid, _>("assignee_id", c.assignee_id)
        .assign::<SqlUuid, _>("deal_id", c.deal_id)
        .assign::<Text, _>("title", c.title.as_deref().map(Some))
        .assign::<Text, _>("notes", c.notes.as_ref().map(Option::as_deref))
        .assign::<Timestamptz, _>("due_at", c.due_at.map(Some))
        .assign::<Timestamptz, _>("completed_at", c.completed_at)
        .sql("version = version + 1, updated_at = ")
        .bind::<Timestamptz, _>(history.occurred_at)
        .sql(" WHERE workspace_id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND id = ")
        .bind::<SqlUuid, _>(id)
        .at_version(expected)
        .sql(" RETURNING ")
        .part(ReminderRow::as_returning());
    let updated = recorded(
        "updated",
        update,
        (history, template),
        ReminderChange::Updated,
        workspace,
    )
    .get_result(conn)
    .await
    .optional()?;
    outcome(conn, workspace, id, updated).await
}

/// Deletes a reminder (at `expected` when given) and writes its history entry (as for
/// [`update_recorded`]) and its contact's follow-up without it, in one statement; returns the
/// deleted row.
pub async fn delete_recorded(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
    (history, template): (&ActivityRow, &str),
) -> QueryResult<WriteOutcome<ReminderRow>> {
    let target = crate::versioned_target!(reminders, workspace, id, expected);
    let delete = diesel::delete(target).returning(ReminderRow::as_returning());
    let deleted = recorded(
        "deleted",
        delete,
        (history, template),
        ReminderChange::Deleted,
        workspace,
    )
    .get_result(conn)
    .await
    .optional()?;
    outcome(conn, workspace, id, deleted).await
}

/// A change of one reminder (`change`, returning the row, as the CTE `name`), its history entry
/// and its contact's follow-up as one statement, at the entry's time; its rows are the changed
/// reminder's.
fn recorded<'a>(
    name: &'a str,
    change: impl QueryFragment<Pg> + Send + 'a,
    (history, template): (&'a ActivityRow, &'a str),
    how: ReminderChange,
    workspace: WorkspaceId,
) -> Statement<'a> {
    Statement::new()
        .sql("WITH clock AS (SELECT ")
        .bind::<diesel::sql_types::Timestamptz, _>(history.occurred_at)
        .sql("::timestamptz AS at), ")
        .sql(name)
        .sql(" AS (")
        .part(change)
        .sql("), named AS (")
        .part(contacts::store::name_of_changed(name, "x.title"))
        .sql("), history AS (")
        .part(activity::store::insert_one_named(
            history,
            template,
            "named",
            &["name", "title"],
        ))
        .sql("), followed AS (")
        .part(contacts::store::follow_up_after_reminder(workspace, how))
        .sql(") SELECT * FROM ")
        .sql(name)
}

/// What a write that matched no row means: the row is at another version, or it is not there.
async fn outcome(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    written: Option<ReminderRow>,
) -> QueryResult<WriteOutcome<ReminderRow>> {
    WriteOutcome::versioned(written, async {
        Ok(find(conn, workspace, id).await?.map(|r| r.version))
    })
    .await
}

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
