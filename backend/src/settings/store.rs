//! The SQL of workspace settings (a JSON document on the workspace row).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::WorkspaceId;
use crate::db::schema::workspaces;

/// The stored settings document of the workspace.
pub async fn stored(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<serde_json::Value> {
    workspaces::table
        .find(workspace)
        .select(workspaces::settings)
        .first(conn)
        .await
}

/// Merges `changes` into the stored document.
pub async fn merge(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    changes: serde_json::Value,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(workspaces::table.find(workspace))
        .set((
            workspaces::settings.eq(workspaces::settings.concat(changes)),
            workspaces::updated_at.eq(now),
        ))
        .execute(conn)
        .await
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    found: bool,
}

/// True when PostgreSQL knows this time zone name (e.g. `Europe/Paris`).
pub async fn is_time_zone(conn: &mut AsyncPgConnection, name: &str) -> QueryResult<bool> {
    let row: Found = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS found")
        .bind::<Text, _>(name)
        .get_result(conn)
        .await?;
    Ok(row.found)
}
