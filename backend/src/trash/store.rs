//! The trash in SQL: one list over the three kinds of trashed records, deleting for good (what
//! must outlive the record is detached first, in the same transaction), and what has been in the
//! trash past its time, across workspaces, for the daily purge.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::TrashType;
use crate::db::WorkspaceId;

/// Days a record stays in the trash.
pub const KEEP_DAYS: i64 = 30;

#[derive(Debug, QueryableByName)]
pub struct TrashRow {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub subtitle: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub deleted_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub purge_at: DateTime<Utc>,
}

/// When purging started: the trash is emptied `KEEP_DAYS` after the trashing or after this,
/// whichever is later.
const SINCE: &str = "coalesce((SELECT since FROM retention_policies WHERE name = 'trash'), '-infinity'::timestamptz)";

fn part(kind: TrashType) -> &'static str {
    match kind {
        TrashType::Contact => {
            "(SELECT 'contact'::text AS kind, x.id, trim(x.first_name || ' ' || x.last_name) AS title, \
               nullif(concat_ws(' · ', x.emails[1], x.company_name), '') AS subtitle, x.deleted_at \
             FROM contacts x WHERE x.workspace_id = $1 AND x.deleted_at IS NOT NULL \
               AND NOT EXISTS (SELECT 1 FROM merges m WHERE m.merged_id = x.id AND m.undone_at IS NULL) \
               AND ($2::timestamptz IS NULL OR (x.deleted_at, x.id) < ($2, $3)) \
             ORDER BY x.deleted_at DESC, x.id DESC LIMIT $4)"
        }
        TrashType::Company => {
            "(SELECT 'company'::text AS kind, x.id, x.name AS title, \
               nullif(concat_ws(' · ', x.domain, x.industry), '') AS subtitle, x.deleted_at \
             FROM companies x WHERE x.workspace_id = $1 AND x.deleted_at IS NOT NULL \
               AND NOT EXISTS (SELECT 1 FROM merges m WHERE m.merged_id = x.id AND m.undone_at IS NULL) \
               AND ($2::timestamptz IS NULL OR (x.deleted_at, x.id) < ($2, $3)) \
             ORDER BY x.deleted_at DESC, x.id DESC LIMIT $4)"
        }
        TrashType::Deal => {
            "(SELECT 'deal'::text AS kind, x.id, x.title AS title, \
               nullif(concat_ws(' · ', co.name, nullif(trim(ct.first_name || ' ' || ct.last_name), '')), '') AS subtitle, \
               x.deleted_at \
             FROM deals x LEFT JOIN companies co ON co.id = x.company_id LEFT JOIN contacts ct ON ct.id = x.contact_id \
             WHERE x.workspace_id = $1 AND x.deleted_at IS NOT NULL \
               AND ($2::timestamptz IS NULL OR (x.deleted_at, x.id) < ($2, $3)) \
             ORDER BY x.deleted_at DESC, x.id DESC LIMIT $4)"
        }
    }
}

/// Trashed records of these kinds, most recently trashed first, after `after`, at most `limit`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kinds: &[TrashType],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<TrashRow>> {
    let parts: Vec<&str> = kinds.iter().map(|k| part(*k)).collect();
    diesel::sql_query(format!(
        "SELECT i.*, greatest(i.deleted_at, {SINCE}) + interval '{KEEP_DAYS} days' AS purge_at \
         FROM ({}) i ORDER BY i.deleted_at DESC, i.id DESC LIMIT $4",
        parts.join(" UNION ALL ")
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Nullable<Timestamptz>, _>(after.map(|a| a.0))
    .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.1))
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

fn table(kind: TrashType) -> &'static str {
    match kind {
        TrashType::Contact => "contacts",
        TrashType::Company => "companies",
        TrashType::Deal => "deals",
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many of `ids` are records of this kind in the workspace's trash.
pub async fn trashed_count(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: TrashType,
    ids: &[Uuid],
) -> QueryResult<i64> {
    // Merged records are out of sight but not in the trash (an undo of the merge brings them back).
    let not_merged = match kind {
        TrashType::Contact | TrashType::Company => {
            " AND NOT EXISTS (SELECT 1 FROM merges m WHERE m.merged_id = x.id AND m.undone_at IS NULL)"
        }
        TrashType::Deal => "",
    };
    let row: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM {} x WHERE x.workspace_id = $1 AND x.id = ANY($2) AND x.deleted_at IS NOT NULL{not_merged}",
        table(kind)
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<SqlUuid>, _>(ids)
    .get_result(conn)
    .await?;
    Ok(row.n)
}

/// A record deleted for good, with what it left behind.
#[derive(Debug, QueryableByName)]
pub struct Purged {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    /// Payments kept without it.
    #[diesel(sql_type = BigInt)]
    pub payments: i64,
}

/// Detaches the accepted proposals of the trashed deals among `ids` (they outlive the deal);
/// returns how many.
pub async fn detach_accepted_proposals(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE proposals SET deal_id = NULL, updated_at = $3, version = version + 1 \
         WHERE workspace_id = $1 AND status = 'accepted' AND deal_id IN ( \
           SELECT id FROM deals WHERE workspace_id = $1 AND id = ANY($2) AND deleted_at IS NOT NULL)",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
}

/// Deletes for good the records of this kind among `ids` that are in the workspace's trash
/// (what hangs under them goes by the foreign keys' cascades; payments are kept, detached).
pub async fn purge(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: TrashType,
    ids: &[Uuid],
) -> QueryResult<Vec<Purged>> {
    let (name, payments) = match kind {
        TrashType::Contact => (
            "trim(first_name || ' ' || last_name)",
            "(SELECT count(*) FROM payments p WHERE p.workspace_id = $1 AND p.contact_id = g.id)",
        ),
        TrashType::Company => ("name", "0::bigint"),
        TrashType::Deal => (
            "title",
            "(SELECT count(*) FROM payments p WHERE p.workspace_id = $1 AND p.deal_id = g.id)",
        ),
    };
    let rows: Vec<Purged> = diesel::sql_query(format!(
        "WITH gone AS (DELETE FROM {} WHERE workspace_id = $1 AND id = ANY($2) AND deleted_at IS NOT NULL \
           RETURNING id, {name} AS name) \
         SELECT g.id, g.name, {payments} AS payments FROM gone g",
        table(kind)
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?;
    if kind == TrashType::Contact && !rows.is_empty() {
        // The assistant's memoized answers about them.
        let gone: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        diesel::sql_query("DELETE FROM llm_cache WHERE workspace_id = $1 AND contact_id = ANY($2)")
            .bind::<SqlUuid, _>(workspace)
            .bind::<Array<SqlUuid>, _>(&gone)
            .execute(conn)
            .await?;
    }
    Ok(rows)
}

#[derive(Debug, QueryableByName)]
pub struct Expired {
    #[diesel(sql_type = SqlUuid)]
    pub workspace_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
}

/// Records of this kind, in any workspace, whose time in the trash ended at `now`: trashed at or
/// before `now − KEEP_DAYS` while purging had started by then. At most `limit`.
pub async fn expired(
    conn: &mut AsyncPgConnection,
    kind: TrashType,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Expired>> {
    diesel::sql_query(format!(
        "SELECT workspace_id, id FROM {} \
         WHERE deleted_at IS NOT NULL AND deleted_at <= $1 - interval '{KEEP_DAYS} days' \
           AND {SINCE} <= $1 - interval '{KEEP_DAYS} days' \
         ORDER BY deleted_at LIMIT $2",
        table(kind)
    ))
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}
