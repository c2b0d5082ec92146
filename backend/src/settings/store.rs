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
struct Zone {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Every time zone name PostgreSQL knows (e.g. `Europe/Paris`): its time zone database, which
/// changes only with the server's installation.
pub async fn time_zone_names(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    let zones: Vec<Zone> = diesel::sql_query("SELECT name FROM pg_timezone_names")
        .load(conn)
        .await?;
    Ok(zones.into_iter().map(|z| z.name).collect())
}
