//! Proposal and line rows and their SQL.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::ProposalStatus;
use crate::db::WorkspaceId;
use crate::db::keyset::SortValue;
use crate::db::schema::{proposal_lines, proposals, workspaces};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = proposals, check_for_backend(Pg))]
pub struct ProposalRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    /// None once the deal was purged from the trash (an accepted proposal outlives it).
    pub deal_id: Option<Uuid>,
    pub number: i32,
    pub title: String,
    pub status: ProposalStatus,
    pub currency: String,
    pub tax_rate_bp: i32,
    pub introduction: Option<String>,
    pub terms: Option<String>,
    pub valid_until: Option<NaiveDate>,
    pub sent_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = proposal_lines, check_for_backend(Pg))]
pub struct LineRow {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub position: i32,
    pub product_id: Option<Uuid>,
    pub description: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub discount_bp: i32,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = proposals)]
pub struct ProposalChangeset {
    pub title: Option<String>,
    pub status: Option<ProposalStatus>,
    pub currency: Option<String>,
    pub tax_rate_bp: Option<i32>,
    pub introduction: Option<Option<String>>,
    pub terms: Option<Option<String>>,
    pub valid_until: Option<Option<NaiveDate>>,
    pub sent_at: Option<Option<DateTime<Utc>>>,
    pub decided_at: Option<Option<DateTime<Utc>>>,
}

/// The next proposal number of the workspace; locks the workspace row until the transaction ends
/// so two proposals never get the same number.
pub async fn next_number(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<i32> {
    workspaces::table
        .find(workspace)
        .select(workspaces::id)
        .for_update()
        .first::<Uuid>(conn)
        .await?;
    let max: Option<i32> = proposals::table
        .filter(proposals::workspace_id.eq(workspace))
        .select(diesel::dsl::max(proposals::number))
        .first(conn)
        .await?;
    Ok(max.unwrap_or(0) + 1)
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ProposalRow) -> QueryResult<()> {
    diesel::insert_into(proposals::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Replaces the proposal's lines; each carries the workspace, so the database refuses a product
/// of another workspace.
pub async fn replace_lines(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    proposal: Uuid,
    lines: &[LineRow],
) -> QueryResult<()> {
    diesel::delete(
        proposal_lines::table.filter(
            proposal_lines::workspace_id
                .eq(workspace)
                .and(proposal_lines::proposal_id.eq(proposal)),
        ),
    )
    .execute(conn)
    .await?;
    if !lines.is_empty() {
        let rows: Vec<_> = lines
            .iter()
            .map(|line| (line, proposal_lines::workspace_id.eq(workspace)))
            .collect();
        diesel::insert_into(proposal_lines::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<ProposalRow>> {
    proposals::table
        .filter(proposals::workspace_id.eq(workspace).and(proposals::id.eq(id)))
        .select(ProposalRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The lines of these proposals, in order.
pub async fn lines(conn: &mut AsyncPgConnection, workspace: WorkspaceId, ids: &[Uuid]) -> QueryResult<Vec<LineRow>> {
    proposal_lines::table
        .filter(proposal_lines::workspace_id.eq(workspace))
        .filter(proposal_lines::proposal_id.eq_any(ids))
        .order((proposal_lines::proposal_id, proposal_lines::position))
        .select(LineRow::as_select())
        .load(conn)
        .await
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    deal: Option<Uuid>,
    status: Option<ProposalStatus>,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ProposalRow>> {
    let mut query = proposals::table
        .filter(proposals::workspace_id.eq(workspace))
        .select(ProposalRow::as_select())
        .into_boxed();
    if let Some(d) = deal {
        query = query.filter(proposals::deal_id.eq(d));
    }
    if let Some(s) = status {
        query = query.filter(proposals::status.eq(s));
    }
    if let Some((SortValue::Time(t), id)) = after {
        query = query.filter(
            proposals::created_at
                .lt(*t)
                .or(proposals::created_at.eq(*t).and(proposals::id.lt(*id))),
        );
    }
    query
        .order((proposals::created_at.desc(), proposals::id.desc()))
        .limit(limit + 1)
        .load(conn)
        .await
}

crate::versioned_writes!(proposals, ProposalRow, ProposalChangeset);
