//! Calendar feed rows (one per member: only the hash of its secret) and the feed's entries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::sync::LazyLock;
use uuid::Uuid;

use crate::contacts::query::NEXT_FOLLOW_UP_KEY;
use crate::db::WorkspaceId;
use crate::db::schema::calendar_feeds;

/// When the member's current feed link was made, if they have one.
pub async fn created_at(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
) -> QueryResult<Option<DateTime<Utc>>> {
    calendar_feeds::table
        .find((workspace, user))
        .select(calendar_feeds::created_at)
        .first(conn)
        .await
        .optional()
}

/// Sets the member's feed secret (replacing any earlier one).
pub async fn replace(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::workspace_id.eq(workspace),
            calendar_feeds::user_id.eq(user),
            calendar_feeds::token_hash.eq(token_hash),
            calendar_feeds::created_at.eq(now),
        ))
        .on_conflict((calendar_feeds::workspace_id, calendar_feeds::user_id))
        .do_update()
        .set((
            calendar_feeds::token_hash.eq(token_hash),
            calendar_feeds::created_at.eq(now),
        ))
        .execute(conn)
        .await
}

pub async fn delete(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> QueryResult<usize> {
    diesel::delete(calendar_feeds::table.find((workspace, user)))
        .execute(conn)
        .await
}

/// Gives the workspace's link from before accounts (if one was kept aside) to this member; true
/// when there was one.
pub async fn adopt_handover(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> QueryResult<bool> {
    diesel::sql_query(
        "WITH h AS (DELETE FROM calendar_feed_handovers WHERE workspace_id = $1 RETURNING token_hash, created_at) \
         INSERT INTO calendar_feeds (workspace_id, user_id, token_hash, created_at) \
         SELECT $1, $2, token_hash, created_at FROM h \
         ON CONFLICT (workspace_id, user_id) DO NOTHING",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(user)
    .execute(conn)
    .await
    .map(|n| n > 0)
}

/// The workspace and member of the feed with this secret's hash.
pub async fn owner_of(conn: &mut AsyncPgConnection, token_hash: &[u8]) -> QueryResult<Option<(WorkspaceId, Uuid)>> {
    calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(token_hash))
        .select((calendar_feeds::workspace_id, calendar_feeds::user_id))
        .first(conn)
        .await
        .optional()
}

#[derive(QueryableByName)]
pub struct EntryRow {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub link: String,
    #[diesel(sql_type = Text)]
    pub contact_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub company: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub title: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
}

/// The member's follow-ups (unless an open reminder set that very date, which has its own
/// event), open reminders and open deals' expected close dates — theirs and nobody's, or
/// everyone's when `user` is `None` — from a month back to six months ahead, or all of them when
/// `every_date` (a workspace export).
pub async fn entries(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Option<Uuid>,
    every_date: bool,
) -> QueryResult<Vec<EntryRow>> {
    // The follow-ups through the schedule's index on `NEXT_FOLLOW_UP_KEY` (the statement is
    // planned for its values, so `$3 OR …` leaves the range when only a window is asked for).
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT 'follow_up' AS kind, c.id AS id, '/contacts/' || c.id AS link, trim(c.first_name || ' ' || c.last_name) AS contact_name, \
                c.company_name AS company, NULL::text AS title, c.next_follow_up_at AS at \
         FROM contact_schedule JOIN contacts c ON c.workspace_id = contact_schedule.workspace_id AND c.id = contact_schedule.contact_id \
         WHERE contact_schedule.workspace_id = $1 AND contact_schedule.live \
           AND ($2::uuid IS NULL OR contact_schedule.owner_id = $2 OR contact_schedule.owner_id IS NULL) \
           AND contact_schedule.next_follow_up_at IS NOT NULL \
           AND ($3 OR {NEXT_FOLLOW_UP_KEY} BETWEEN now() - interval '30 days' AND now() + interval '180 days') \
           AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.contact_id = c.id AND r.completed_at IS NULL \
                           AND r.due_at = c.next_follow_up_at) \
         UNION ALL \
         SELECT 'reminder', r.id, '/contacts/' || r.contact_id, trim(c.first_name || ' ' || c.last_name), c.company_name, r.title, r.due_at \
         FROM reminders r JOIN contacts c ON c.workspace_id = r.workspace_id AND c.id = r.contact_id \
         WHERE r.workspace_id = $1 AND r.completed_at IS NULL AND c.deleted_at IS NULL \
           AND ($2::uuid IS NULL OR r.assignee_id = $2 OR r.assignee_id IS NULL) \
           AND ($3 OR r.due_at BETWEEN now() - interval '30 days' AND now() + interval '180 days') \
         UNION ALL \
         SELECT 'close', d.id, '/deals/' || d.id, coalesce(trim(c.first_name || ' ' || c.last_name), ''), co.name, d.title, \
                d.expected_close_date::timestamp AT TIME ZONE 'UTC' \
         FROM deals d LEFT JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id \
              LEFT JOIN companies co ON co.workspace_id = d.workspace_id AND co.id = d.company_id \
         WHERE d.workspace_id = $1 AND d.status = 'open' AND d.deleted_at IS NULL \
           AND ($2::uuid IS NULL OR d.owner_id = $2 OR d.owner_id IS NULL) \
           AND d.expected_close_date IS NOT NULL AND ($3 OR d.expected_close_date BETWEEN current_date - 30 AND current_date + 180) \
         ORDER BY at LIMIT CASE WHEN $3 THEN NULL ELSE 5000 END"
        )
    });
    diesel::sql_query(SQL.as_str())
        .bind::<SqlUuid, _>(workspace)
        .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(user)
        .bind::<diesel::sql_types::Bool, _>(every_date)
        .load(conn)
        .await
}
