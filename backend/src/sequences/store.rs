//! Sequence rows, enrollments, sends and unsubscribes.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::EnrollmentStatus;
use crate::db::WorkspaceId;
use crate::db::schema::{contacts, mail_unsubscribes, sequence_enrollments, sequence_sends, sequences};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sequences, check_for_backend(Pg))]
pub struct SequenceRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub steps: serde_json::Value,
    pub window_start: i16,
    pub window_end: i16,
    pub weekdays_only: bool,
    pub enabled: bool,
    pub token_key: Vec<u8>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = sequences)]
pub struct SequenceChangeset {
    pub name: Option<String>,
    pub steps: Option<serde_json::Value>,
    pub window_start: Option<i16>,
    pub window_end: Option<i16>,
    pub weekdays_only: Option<bool>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sequence_enrollments, check_for_backend(Pg))]
pub struct EnrollmentRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub sequence_id: Uuid,
    pub contact_id: Uuid,
    pub status: EnrollmentStatus,
    pub next_step: i32,
    pub next_send_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub enrolled_by: Option<Uuid>,
    pub enrolled_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = sequence_enrollments)]
pub struct EnrollmentChangeset {
    pub status: Option<EnrollmentStatus>,
    pub next_step: Option<i32>,
    pub next_send_at: Option<Option<DateTime<Utc>>>,
    pub last_error: Option<Option<String>>,
    pub finished_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sequence_sends)]
pub struct SendRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub enrollment_id: Uuid,
    pub step: i32,
    pub variant: String,
    pub interaction_id: Option<Uuid>,
    pub sent_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &SequenceRow) -> QueryResult<SequenceRow> {
    diesel::insert_into(sequences::table)
        .values(row)
        .returning(SequenceRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<SequenceRow>> {
    sequences::table
        .filter(sequences::workspace_id.eq(workspace))
        .order((sequences::created_at, sequences::id))
        .select(SequenceRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<SequenceRow>> {
    sequences::table
        .filter(sequences::workspace_id.eq(workspace).and(sequences::id.eq(id)))
        .select(SequenceRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn count(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<i64> {
    sequences::table
        .filter(sequences::workspace_id.eq(workspace))
        .count()
        .get_result(conn)
        .await
}

crate::versioned_writes!(sequences, SequenceRow, SequenceChangeset);

/// Enrollments of the sequences, by sequence and status.
pub async fn status_counts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, EnrollmentStatus, i64)>> {
    sequence_enrollments::table
        .filter(sequence_enrollments::workspace_id.eq(workspace))
        .filter(sequence_enrollments::sequence_id.eq_any(ids))
        .group_by((sequence_enrollments::sequence_id, sequence_enrollments::status))
        .select((
            sequence_enrollments::sequence_id,
            sequence_enrollments::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
        .await
}

#[derive(Debug, QueryableByName)]
pub struct StepCount {
    #[diesel(sql_type = SqlUuid)]
    pub sequence_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub step: i32,
    #[diesel(sql_type = Text)]
    pub variant: String,
    #[diesel(sql_type = BigInt)]
    pub sent: i64,
    #[diesel(sql_type = BigInt)]
    pub replied: i64,
    #[diesel(sql_type = BigInt)]
    pub unsubscribed: i64,
}

/// Per sequence, step and variant: emails sent, and the enrollments that replied or unsubscribed
/// with that step as their last email.
pub async fn step_counts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<StepCount>> {
    diesel::sql_query(
        "SELECT e.sequence_id, s.step, s.variant, count(*) AS sent, \
                count(*) FILTER (WHERE e.status = 'replied' AND s.step = e.next_step - 1) AS replied, \
                count(*) FILTER (WHERE e.status = 'unsubscribed' AND s.step = e.next_step - 1) AS unsubscribed \
         FROM sequence_sends s JOIN sequence_enrollments e ON e.id = s.enrollment_id \
         WHERE s.workspace_id = $1 AND e.workspace_id = $1 AND e.sequence_id = ANY($2) \
         GROUP BY e.sequence_id, s.step, s.variant ORDER BY s.step, s.variant",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
    .load(conn)
    .await
}

/// Inserts enrollments in one statement; those of contacts already in the sequence are left
/// out, and the rows written come back.
pub async fn insert_enrollments(
    conn: &mut AsyncPgConnection,
    rows: &[EnrollmentRow],
) -> QueryResult<Vec<EnrollmentRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    diesel::insert_into(sequence_enrollments::table)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(EnrollmentRow::as_returning())
        .get_results(conn)
        .await
}

/// A page of a sequence's enrollments, newest first, with each contact's name.
pub async fn enrollments(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    sequence: Option<Uuid>,
    contact: Option<Uuid>,
    status: Option<EnrollmentStatus>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<(EnrollmentRow, String, String, String)>> {
    let mut query = sequence_enrollments::table
        .inner_join(contacts::table)
        .inner_join(sequences::table)
        .filter(sequence_enrollments::workspace_id.eq(workspace))
        .filter(contacts::workspace_id.eq(workspace))
        .filter(sequences::workspace_id.eq(workspace))
        .select((
            EnrollmentRow::as_select(),
            contacts::first_name,
            contacts::last_name,
            sequences::name,
        ))
        .order((
            sequence_enrollments::enrolled_at.desc(),
            sequence_enrollments::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(sequence) = sequence {
        query = query.filter(sequence_enrollments::sequence_id.eq(sequence));
    }
    if let Some(contact) = contact {
        query = query.filter(sequence_enrollments::contact_id.eq(contact));
    }
    if let Some(status) = status {
        query = query.filter(sequence_enrollments::status.eq(status));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            sequence_enrollments::enrolled_at
                .lt(at)
                .or(sequence_enrollments::enrolled_at
                    .eq(at)
                    .and(sequence_enrollments::id.lt(id))),
        );
    }
    query.load(conn).await
}

pub async fn find_enrollment(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Option<EnrollmentRow>> {
    sequence_enrollments::table
        .filter(sequence_enrollments::workspace_id.eq(workspace))
        .filter(sequence_enrollments::id.eq(id))
        .select(EnrollmentRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// An enrollment found by its id alone: an unsubscribe link knows nothing else (it is checked
/// against its sequence's key before anything is done).
pub async fn find_enrollment_public(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<EnrollmentRow>> {
    sequence_enrollments::table
        .filter(sequence_enrollments::id.eq(id))
        .select(EnrollmentRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Turns every sequence of the workspace off; how many were on.
pub async fn pause_all(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<usize> {
    diesel::update(
        sequences::table
            .filter(sequences::workspace_id.eq(workspace))
            .filter(sequences::enabled),
    )
    .set(sequences::enabled.eq(false))
    .execute(conn)
    .await
}

pub async fn update_enrollment(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: &EnrollmentChangeset,
) -> QueryResult<EnrollmentRow> {
    diesel::update(
        sequence_enrollments::table
            .filter(sequence_enrollments::workspace_id.eq(workspace))
            .filter(sequence_enrollments::id.eq(id)),
    )
    .set(changes)
    .returning(EnrollmentRow::as_returning())
    .get_result(conn)
    .await
}

#[derive(Debug, QueryableByName)]
pub struct Due {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub workspace_id: Uuid,
}

/// Claims one active enrollment whose next step is due at `now` and whose contact's local time
/// (their time zone, else the workspace's) is inside the sequence's sending window; the row
/// stays locked until the transaction ends, and others skip it.
pub async fn claim_due(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<Option<Due>> {
    diesel::sql_query(
        "SELECT e.id, e.workspace_id FROM sequence_enrollments e \
         JOIN sequences q ON q.id = e.sequence_id \
         JOIN contacts c ON c.id = e.contact_id \
         JOIN workspaces w ON w.id = e.workspace_id \
         CROSS JOIN LATERAL (SELECT $1 AT TIME ZONE coalesce(c.time_zone, w.settings->>'timezone', 'UTC') AS t) l \
         WHERE e.status = 'active' AND e.next_send_at <= $1 AND q.enabled \
           AND extract(hour FROM l.t) >= q.window_start AND extract(hour FROM l.t) < q.window_end \
           AND (NOT q.weekdays_only OR extract(isodow FROM l.t) < 6) \
         ORDER BY e.next_send_at LIMIT 1 FOR UPDATE OF e SKIP LOCKED",
    )
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
    .optional()
}

pub async fn insert_send(conn: &mut AsyncPgConnection, row: &SendRow) -> QueryResult<usize> {
    diesel::insert_into(sequence_sends::table)
        .values(row)
        .execute(conn)
        .await
}

/// The contacts among these who unsubscribed.
pub async fn unsubscribed_among(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<Uuid>> {
    mail_unsubscribes::table
        .filter(mail_unsubscribes::workspace_id.eq(workspace))
        .filter(mail_unsubscribes::contact_id.eq_any(ids))
        .select(mail_unsubscribes::contact_id)
        .load(conn)
        .await
}

/// Notes the unsubscribe (the first one counts); `true` when it is new.
pub async fn unsubscribe(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Uuid,
    sequence: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::insert_into(mail_unsubscribes::table)
        .values((
            mail_unsubscribes::contact_id.eq(contact),
            mail_unsubscribes::workspace_id.eq(workspace),
            mail_unsubscribes::sequence_id.eq(Some(sequence)),
            mail_unsubscribes::unsubscribed_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Ends every active enrollment of the contact with this status.
pub async fn finish_active_of_contact(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Uuid,
    status: EnrollmentStatus,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        sequence_enrollments::table
            .filter(sequence_enrollments::workspace_id.eq(workspace))
            .filter(sequence_enrollments::contact_id.eq(contact))
            .filter(sequence_enrollments::status.eq(EnrollmentStatus::Active)),
    )
    .set((
        sequence_enrollments::status.eq(status),
        sequence_enrollments::next_send_at.eq(None::<DateTime<Utc>>),
        sequence_enrollments::finished_at.eq(Some(now)),
    ))
    .execute(conn)
    .await
}
