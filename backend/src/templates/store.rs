//! Template rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::Scenario;
use crate::db::WorkspaceId;
use crate::db::keyset::{Sort, SortValue};
use crate::db::schema::email_templates;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_templates, check_for_backend(Pg))]
pub struct TemplateRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub scenario: Scenario,
    pub subject: String,
    pub body: String,
    pub sort_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = email_templates)]
pub struct NewTemplateRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub scenario: Scenario,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = email_templates)]
pub struct TemplateChangeset {
    pub name: Option<String>,
    pub scenario: Option<Scenario>,
    pub subject: Option<String>,
    pub body: Option<String>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &NewTemplateRow) -> QueryResult<TemplateRow> {
    diesel::insert_into(email_templates::table)
        .values(row)
        .returning(TemplateRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<TemplateRow>> {
    email_templates::table
        .filter(
            email_templates::workspace_id
                .eq(workspace)
                .and(email_templates::id.eq(id)),
        )
        .select(TemplateRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    scenario: Option<Scenario>,
    sort: &Sort,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<TemplateRow>> {
    let mut query = email_templates::table
        .filter(email_templates::workspace_id.eq(workspace))
        .select(TemplateRow::as_select())
        .into_boxed();
    if let Some(s) = scenario {
        query = query.filter(email_templates::scenario.eq(s.as_str()));
    }
    if let Some((value, id)) = after {
        query = query.filter(sort.condition::<email_templates::table>("email_templates.id", value, *id));
    }
    query
        .order(sql::<Text>(&sort.order_sql("email_templates.id")))
        .limit(limit + 1)
        .load(conn)
        .await
}

crate::versioned_writes!(email_templates, TemplateRow, TemplateChangeset);
