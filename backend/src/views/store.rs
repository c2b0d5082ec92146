//! Saved-view rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::ViewKind;
use crate::db::WorkspaceId;
use crate::db::schema::saved_views;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = saved_views, check_for_backend(Pg))]
pub struct ViewRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub kind: ViewKind,
    pub name: String,
    pub query: String,
    pub display_columns: Vec<String>,
    pub shared: bool,
    pub owner_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = saved_views)]
pub struct ViewChangeset {
    pub name: Option<String>,
    pub query: Option<String>,
    pub display_columns: Option<Vec<String>>,
    pub shared: Option<bool>,
}

/// The views of this kind `user` sees: shared ones and their own, by name.
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: Option<ViewKind>,
    user: Uuid,
) -> QueryResult<Vec<ViewRow>> {
    let mut query = saved_views::table
        .filter(saved_views::workspace_id.eq(workspace))
        .filter(saved_views::shared.or(saved_views::owner_id.eq(user)))
        .select(ViewRow::as_select())
        .order((saved_views::kind, saved_views::name, saved_views::id))
        .limit(200)
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(saved_views::kind.eq(kind));
    }
    query.load(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<ViewRow>> {
    saved_views::table
        .filter(saved_views::workspace_id.eq(workspace).and(saved_views::id.eq(id)))
        .select(ViewRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ViewRow) -> QueryResult<ViewRow> {
    diesel::insert_into(saved_views::table)
        .values(row)
        .returning(ViewRow::as_returning())
        .get_result(conn)
        .await
}

/// How many views `user` owns in the workspace.
pub async fn count_owned(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> QueryResult<i64> {
    saved_views::table
        .filter(
            saved_views::workspace_id
                .eq(workspace)
                .and(saved_views::owner_id.eq(user)),
        )
        .count()
        .get_result(conn)
        .await
}

crate::versioned_writes!(saved_views, ViewRow, ViewChangeset);
