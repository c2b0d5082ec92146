//! Merge rows, and the SQL that moves records from one contact or company to another.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::{CompanyMoves, ContactMoves, MergeType};
use crate::companies::store::CompanyRow;
use crate::contacts::store::ContactRow;
use crate::db::WorkspaceId;
use crate::db::schema::{companies, contacts, merges};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = merges, check_for_backend(Pg))]
pub struct MergeRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub kind: MergeType,
    pub survivor_id: Uuid,
    pub merged_id: Uuid,
    pub survivor_before: serde_json::Value,
    pub survivor_after: serde_json::Value,
    pub merged_deleted_at: Option<DateTime<Utc>>,
    pub moved: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<Uuid>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &MergeRow) -> QueryResult<()> {
    diesel::insert_into(merges::table).values(row).execute(conn).await?;
    Ok(())
}

/// The merge, locked until the transaction ends.
pub async fn lock(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<MergeRow>> {
    merges::table
        .filter(merges::workspace_id.eq(workspace).and(merges::id.eq(id)))
        .select(MergeRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn mark_undone(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
    by: Option<Uuid>,
) -> QueryResult<()> {
    diesel::update(merges::table.filter(merges::workspace_id.eq(workspace).and(merges::id.eq(id))))
        .set((merges::undone_at.eq(now), merges::undone_by.eq(by)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The two contacts, locked until the transaction ends (in id order, so that two merges of the
/// same pair wait for each other instead of deadlocking).
pub async fn lock_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: [Uuid; 2],
) -> QueryResult<Vec<ContactRow>> {
    contacts::table
        .filter(contacts::workspace_id.eq(workspace))
        .filter(contacts::id.eq_any(ids))
        .order(contacts::id)
        .select(ContactRow::as_select())
        .for_update()
        .load(conn)
        .await
}

/// The two companies, locked until the transaction ends (in id order).
pub async fn lock_companies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: [Uuid; 2],
) -> QueryResult<Vec<CompanyRow>> {
    companies::table
        .filter(companies::workspace_id.eq(workspace))
        .filter(companies::id.eq_any(ids))
        .order(companies::id)
        .select(CompanyRow::as_select())
        .for_update()
        .load(conn)
        .await
}

/// Interactions of `from` that can move to `to`: all but a message imported for both (the same
/// `external_ref`), which `to` already has.
const MOVABLE_INTERACTIONS: &str = "x.workspace_id = $1 AND x.contact_id = $3 \
     AND (x.external_ref IS NULL OR NOT EXISTS ( \
       SELECT 1 FROM interactions y WHERE y.contact_id = $2 AND y.external_ref = x.external_ref))";

#[derive(QueryableByName)]
struct ContactCounts {
    #[diesel(sql_type = BigInt)]
    interactions: i64,
    #[diesel(sql_type = BigInt)]
    reminders: i64,
    #[diesel(sql_type = BigInt)]
    deals: i64,
    #[diesel(sql_type = BigInt)]
    payments: i64,
    #[diesel(sql_type = BigInt)]
    conversations: i64,
}

/// What merging contact `from` into `to` would move.
pub async fn contact_moves(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    to: Uuid,
    from: Uuid,
) -> QueryResult<ContactMoves> {
    let c: ContactCounts = diesel::sql_query(format!(
        "SELECT (SELECT count(*) FROM interactions x WHERE {MOVABLE_INTERACTIONS}) AS interactions, \
           (SELECT count(*) FROM reminders WHERE workspace_id = $1 AND contact_id = $3) AS reminders, \
           (SELECT count(*) FROM deals WHERE workspace_id = $1 AND contact_id = $3) AS deals, \
           (SELECT count(*) FROM payments WHERE workspace_id = $1 AND contact_id = $3) AS payments, \
           (SELECT count(*) FROM ai_conversations WHERE workspace_id = $1 AND contact_id = $3) AS conversations"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(to)
    .bind::<SqlUuid, _>(from)
    .get_result(conn)
    .await?;
    Ok(ContactMoves {
        interactions: c.interactions,
        reminders: c.reminders,
        deals: c.deals,
        payments: c.payments,
        conversations: c.conversations,
    })
}

#[derive(QueryableByName)]
struct CompanyCounts {
    #[diesel(sql_type = BigInt)]
    contacts: i64,
    #[diesel(sql_type = BigInt)]
    deals: i64,
}

/// What merging company `from` into `to` would move.
pub async fn company_moves(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    from: Uuid,
) -> QueryResult<CompanyMoves> {
    let c: CompanyCounts = diesel::sql_query(
        "SELECT (SELECT count(*) FROM contacts WHERE workspace_id = $1 AND company_id = $2) AS contacts, \
           (SELECT count(*) FROM deals WHERE workspace_id = $1 AND company_id = $2) AS deals",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(from)
    .get_result(conn)
    .await?;
    Ok(CompanyMoves {
        contacts: c.contacts,
        deals: c.deals,
    })
}

#[derive(QueryableByName)]
struct Moved {
    #[diesel(sql_type = Jsonb)]
    moved: serde_json::Value,
}

/// Moves what hangs under contact `from` to `to`, in one statement; the moved ids by table
/// (`interactions`, `reminders`, `deals`, `payments`, `ai_conversations`).
pub async fn move_contact_records(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    to: Uuid,
    from: Uuid,
) -> QueryResult<serde_json::Value> {
    let row: Moved = diesel::sql_query(format!(
        "WITH i AS (UPDATE interactions x SET contact_id = $2 WHERE {MOVABLE_INTERACTIONS} RETURNING x.id), \
           r AS (UPDATE reminders SET contact_id = $2 WHERE workspace_id = $1 AND contact_id = $3 RETURNING id), \
           d AS (UPDATE deals SET contact_id = $2 WHERE workspace_id = $1 AND contact_id = $3 RETURNING id), \
           p AS (UPDATE payments SET contact_id = $2 WHERE workspace_id = $1 AND contact_id = $3 RETURNING id), \
           c AS (UPDATE ai_conversations SET contact_id = $2 WHERE workspace_id = $1 AND contact_id = $3 RETURNING id) \
         SELECT jsonb_build_object( \
           'interactions', coalesce((SELECT jsonb_agg(id) FROM i), '[]'), \
           'reminders', coalesce((SELECT jsonb_agg(id) FROM r), '[]'), \
           'deals', coalesce((SELECT jsonb_agg(id) FROM d), '[]'), \
           'payments', coalesce((SELECT jsonb_agg(id) FROM p), '[]'), \
           'ai_conversations', coalesce((SELECT jsonb_agg(id) FROM c), '[]')) AS moved"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(to)
    .bind::<SqlUuid, _>(from)
    .get_result(conn)
    .await?;
    Ok(row.moved)
}

/// Moves the contacts and deals of company `from` to `to`, in one statement; the moved ids by
/// table (`contacts`, `deals`).
pub async fn move_company_records(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    to: Uuid,
    from: Uuid,
) -> QueryResult<serde_json::Value> {
    let row: Moved = diesel::sql_query(
        "WITH c AS (UPDATE contacts SET company_id = $2 WHERE workspace_id = $1 AND company_id = $3 RETURNING id), \
           d AS (UPDATE deals SET company_id = $2 WHERE workspace_id = $1 AND company_id = $3 RETURNING id) \
         SELECT jsonb_build_object( \
           'contacts', coalesce((SELECT jsonb_agg(id) FROM c), '[]'), \
           'deals', coalesce((SELECT jsonb_agg(id) FROM d), '[]')) AS moved",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(to)
    .bind::<SqlUuid, _>(from)
    .get_result(conn)
    .await?;
    Ok(row.moved)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Moves the records a merge moved from `back_to` to `from` back, those still with `from`
/// (records added to the survivor since stay), in one statement; how many.
pub async fn move_back(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: MergeType,
    from: Uuid,
    back_to: Uuid,
    moved: &serde_json::Value,
) -> QueryResult<i64> {
    // (table, column) of each kind of moved record, as `moved` names them.
    let tables: &[(&str, &str)] = match kind {
        MergeType::Contact => &[
            ("interactions", "contact_id"),
            ("reminders", "contact_id"),
            ("deals", "contact_id"),
            ("payments", "contact_id"),
            ("ai_conversations", "contact_id"),
        ],
        MergeType::Company => &[("contacts", "company_id"), ("deals", "company_id")],
    };
    let ctes: Vec<String> = tables
        .iter()
        .enumerate()
        .map(|(n, (table, column))| {
            format!(
                "m{n} AS (UPDATE {table} SET {column} = $3 WHERE workspace_id = $1 AND {column} = $2 \
                 AND id IN (SELECT (jsonb_array_elements_text($4 -> '{table}'))::uuid) RETURNING 1)"
            )
        })
        .collect();
    let total: Vec<String> = (0..tables.len())
        .map(|n| format!("(SELECT count(*) FROM m{n})"))
        .collect();
    let row: Count = diesel::sql_query(format!("WITH {} SELECT {} AS n", ctes.join(", "), total.join(" + ")))
        .bind::<SqlUuid, _>(workspace)
        .bind::<SqlUuid, _>(from)
        .bind::<SqlUuid, _>(back_to)
        .bind::<Jsonb, _>(moved)
        .get_result(conn)
        .await?;
    Ok(row.n)
}

fn table(kind: MergeType) -> &'static str {
    match kind {
        MergeType::Contact => "contacts",
        MergeType::Company => "companies",
    }
}

/// Takes the merged record out of sight (its merge row makes it resolve to the survivor).
pub async fn mark_merged(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: MergeType,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::sql_query(format!(
        "UPDATE {} SET deleted_at = $3, updated_at = $3, version = version + 1 \
         WHERE workspace_id = $1 AND id = $2",
        table(kind)
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Brings a merged record back as it was (`deleted_at` as before the merge); `false` when it is
/// gone.
pub async fn unmark_merged(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: MergeType,
    id: Uuid,
    deleted_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::sql_query(format!(
        "UPDATE {} SET deleted_at = $3, updated_at = $4, version = version + 1 \
         WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NOT NULL",
        table(kind)
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Nullable<Timestamptz>, _>(deleted_at)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Forgets what merges made before `cutoff` (any workspace) changed — they can no longer be
/// undone — keeping which record stands for which; how many.
pub async fn forget_undo_data(conn: &mut AsyncPgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE merges SET survivor_before = '{}', survivor_after = '{}', moved = '{}' \
         WHERE created_at < $1 AND moved <> '{}'::jsonb",
    )
    .bind::<Timestamptz, _>(cutoff)
    .execute(conn)
    .await
}

/// The survivor of the newest merge of `id` not undone (the record that stands for it), if any:
/// how a merged record's old id resolves once the record itself is gone.
pub async fn survivor_of(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<Uuid>> {
    merges::table
        .filter(merges::workspace_id.eq(workspace))
        .filter(merges::merged_id.eq(id))
        .filter(merges::undone_at.is_null())
        .order(merges::created_at.desc())
        .select(merges::survivor_id)
        .first(conn)
        .await
        .optional()
}
