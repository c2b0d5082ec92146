//! Form rows and their submissions.

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, max};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::SubmissionOutcome;
use crate::db::WorkspaceId;
use crate::db::schema::{form_submissions, forms};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = forms, check_for_backend(Pg))]
pub struct FormRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub enabled: bool,
    pub fields: serde_json::Value,
    pub tags: Vec<String>,
    pub owner_id: Option<Uuid>,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    pub deal_title: Option<String>,
    pub submit_label: String,
    pub thank_you_message: String,
    pub redirect_url: Option<String>,
    pub allowed_origins: Vec<String>,
    pub min_fill_seconds: i32,
    pub proof_of_work: bool,
    pub token_key: Vec<u8>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = forms)]
pub struct FormChangeset {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub fields: Option<serde_json::Value>,
    pub tags: Option<Vec<String>>,
    pub owner_id: Option<Option<Uuid>>,
    pub pipeline_id: Option<Option<Uuid>>,
    pub stage_id: Option<Option<Uuid>>,
    pub deal_title: Option<Option<String>>,
    pub submit_label: Option<String>,
    pub thank_you_message: Option<String>,
    pub redirect_url: Option<Option<String>>,
    pub allowed_origins: Option<Vec<String>>,
    pub min_fill_seconds: Option<i32>,
    pub proof_of_work: Option<bool>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = form_submissions, check_for_backend(Pg))]
pub struct SubmissionRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub form_id: Uuid,
    pub outcome: SubmissionOutcome,
    pub spam_reason: Option<String>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub data: serde_json::Value,
    pub filled_fields: Vec<String>,
    pub address: String,
    pub origin: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &FormRow) -> QueryResult<FormRow> {
    diesel::insert_into(forms::table)
        .values(row)
        .returning(FormRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<FormRow>> {
    forms::table
        .filter(forms::workspace_id.eq(workspace))
        .order((forms::created_at, forms::id))
        .select(FormRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<FormRow>> {
    forms::table
        .filter(forms::workspace_id.eq(workspace).and(forms::id.eq(id)))
        .select(FormRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A form found by its id alone: the public page and submissions know nothing else.
pub async fn find_public(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<FormRow>> {
    forms::table
        .filter(forms::id.eq(id))
        .select(FormRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn count(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<i64> {
    forms::table
        .filter(forms::workspace_id.eq(workspace))
        .count()
        .get_result(conn)
        .await
}

crate::versioned_writes!(forms, FormRow, FormChangeset);

/// Per form: how many submissions (spam included) and when the last one came.
pub async fn submission_stats(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, i64, Option<DateTime<Utc>>)>> {
    form_submissions::table
        .filter(form_submissions::workspace_id.eq(workspace))
        .filter(form_submissions::form_id.eq_any(ids))
        .group_by(form_submissions::form_id)
        .select((
            form_submissions::form_id,
            count_star(),
            max(form_submissions::created_at),
        ))
        .load(conn)
        .await
}

pub async fn insert_submission(conn: &mut AsyncPgConnection, row: &SubmissionRow) -> QueryResult<SubmissionRow> {
    diesel::insert_into(form_submissions::table)
        .values(row)
        .returning(SubmissionRow::as_returning())
        .get_result(conn)
        .await
}

/// Submissions from one address to one form since a moment (spam included).
pub async fn recent_from(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    form: Uuid,
    address: &str,
    since: DateTime<Utc>,
) -> QueryResult<Vec<DateTime<Utc>>> {
    form_submissions::table
        .filter(form_submissions::workspace_id.eq(workspace))
        .filter(form_submissions::form_id.eq(form))
        .filter(form_submissions::address.eq(address))
        .filter(form_submissions::created_at.gt(since))
        .order(form_submissions::created_at)
        .select(form_submissions::created_at)
        .load(conn)
        .await
}

/// A page of a form's submissions, newest first.
pub async fn submissions(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    form: Uuid,
    outcome: Option<SubmissionOutcome>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<SubmissionRow>> {
    let mut query = form_submissions::table
        .filter(form_submissions::workspace_id.eq(workspace))
        .filter(form_submissions::form_id.eq(form))
        .select(SubmissionRow::as_select())
        .order((form_submissions::created_at.desc(), form_submissions::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(outcome) = outcome {
        query = query.filter(form_submissions::outcome.eq(outcome));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            form_submissions::created_at
                .lt(at)
                .or(form_submissions::created_at.eq(at).and(form_submissions::id.lt(id))),
        );
    }
    query.load(conn).await
}
