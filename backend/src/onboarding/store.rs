//! SQL of the first run: what the workspace has done, the member's dismissal, and the demo
//! records.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::db::schema::{demo_records, memberships};

/// What the workspace has done of the checklist, and what it holds.
#[derive(Debug, QueryableByName)]
pub struct Progress {
    #[diesel(sql_type = Bool)]
    pub imported: bool,
    #[diesel(sql_type = Bool)]
    pub cadences: bool,
    #[diesel(sql_type = Bool)]
    pub calendar: bool,
    #[diesel(sql_type = Bool)]
    pub stage: bool,
    #[diesel(sql_type = Bool)]
    pub invited: bool,
    #[diesel(sql_type = Bool)]
    pub assistant: bool,
    #[diesel(sql_type = Bool)]
    pub has_demo: bool,
    #[diesel(sql_type = Bool)]
    pub dismissed: bool,
}

/// The checklist's state for `user` in one statement. A stage counts when it was added after the
/// workspace's starter stages (which were all made at once, with the workspace).
pub async fn progress(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> QueryResult<Progress> {
    diesel::sql_query(
        "SELECT \
           EXISTS (SELECT 1 FROM imports WHERE workspace_id = $1 AND status = 'committed') AS imported, \
           EXISTS (SELECT 1 FROM activity WHERE workspace_id = $1 AND entity = 'settings' \
                   AND 'follow_up_cadence_days' = ANY (fields)) AS cadences, \
           EXISTS (SELECT 1 FROM calendar_feeds WHERE workspace_id = $1) AS calendar, \
           EXISTS (SELECT 1 FROM pipeline_stages s WHERE s.workspace_id = $1 AND s.created_at > \
                   (SELECT min(created_at) FROM pipeline_stages WHERE workspace_id = $1)) AS stage, \
           (EXISTS (SELECT 1 FROM invitations WHERE workspace_id = $1) \
             OR (SELECT count(*) FROM memberships WHERE workspace_id = $1) > 1) AS invited, \
           (EXISTS (SELECT 1 FROM ai_conversations WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM llm_usage WHERE workspace_id = $1 AND misses > 0)) AS assistant, \
           EXISTS (SELECT 1 FROM demo_records WHERE workspace_id = $1) AS has_demo, \
           COALESCE((SELECT onboarding_dismissed_at IS NOT NULL FROM memberships \
                     WHERE workspace_id = $1 AND user_id = $2), false) AS dismissed",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await
}

/// Records (or clears, with `None`) when `user` put the checklist away.
pub async fn set_dismissed(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    at: Option<DateTime<Utc>>,
) -> QueryResult<usize> {
    diesel::update(
        memberships::table
            .filter(memberships::workspace_id.eq(workspace))
            .filter(memberships::user_id.eq(user)),
    )
    .set(memberships::onboarding_dismissed_at.eq(at))
    .execute(conn)
    .await
}

/// Marks every record of these kinds in the workspace as demo data (called right after the demo
/// was loaded into an empty workspace).
pub async fn mark_all_as_demo(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<usize> {
    let mut n = 0;
    for (entity, table) in DEMO_TABLES {
        n += diesel::sql_query(format!(
            "INSERT INTO demo_records (workspace_id, entity, entity_id) \
             SELECT workspace_id, '{entity}', id FROM {table} WHERE workspace_id = $1 \
             ON CONFLICT DO NOTHING"
        ))
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await?;
    }
    Ok(n)
}

/// Kinds of demo records and their tables, in the order they are removed (children first).
const DEMO_TABLES: [(&str, &str); 6] = [
    ("payment", "payments"),
    ("proposal", "proposals"),
    ("deal", "deals"),
    ("contact", "contacts"),
    ("company", "companies"),
    ("product", "products"),
];

/// Deletes the workspace's demo records for good, with their timelines, reminders and history
/// (cascading from each record), and forgets them; how many of each kind were deleted, in
/// kind.
pub async fn delete_demo(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<(String, i64)>> {
    // Their history: entries about them, and about their interactions and reminders.
    diesel::sql_query(
        "DELETE FROM activity a USING demo_records d \
         WHERE a.workspace_id = $1 AND d.workspace_id = $1 \
           AND (a.entity_id = d.entity_id OR (d.entity = 'contact' AND a.contact_id = d.entity_id))",
    )
    .bind::<SqlUuid, _>(workspace)
    .execute(conn)
    .await?;
    let mut counts = Vec::with_capacity(DEMO_TABLES.len());
    for (entity, table) in DEMO_TABLES {
        let n = diesel::sql_query(format!(
            "DELETE FROM {table} t USING demo_records d \
             WHERE t.workspace_id = $1 AND d.workspace_id = $1 AND d.entity = '{entity}' AND t.id = d.entity_id"
        ))
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await?;
        counts.push((entity.to_owned(), n as i64));
    }
    diesel::sql_query("DELETE FROM demo_records WHERE workspace_id = $1")
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await?;
    Ok(counts)
}

/// How many demo records of each kind the workspace holds.
pub async fn demo_counts(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<(String, i64)>> {
    demo_records::table
        .filter(demo_records::workspace_id.eq(workspace))
        .group_by(demo_records::entity)
        .select((demo_records::entity, diesel::dsl::count_star()))
        .load(conn)
        .await
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

/// Whether the workspace holds records a person would miss (contacts, companies, deals,
/// products, payments): demo data is only loaded into a workspace without them.
pub async fn has_records(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<bool> {
    let row: Flag = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM contacts WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM companies WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM deals WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM products WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM payments WHERE workspace_id = $1) AS flag",
    )
    .bind::<SqlUuid, _>(workspace)
    .get_result(conn)
    .await?;
    Ok(row.flag)
}

/// Takes the workspace's row lock, so that two "Load demo data" clicks load it once.
pub async fn lock_workspace(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<()> {
    diesel::sql_query("SELECT id FROM workspaces WHERE id = $1 FOR UPDATE")
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await?;
    Ok(())
}
