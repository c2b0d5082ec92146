//! Company rows: lookups by id and the race-free find-or-create by name.

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::companies;

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The id of the live company with this name (case-insensitive), creating it if there is none.
pub async fn find_or_create_by_name(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    name: &str,
) -> QueryResult<Uuid> {
    // Two attempts: a company created concurrently by another transaction makes the insert do
    // nothing while staying invisible to this statement's snapshot; the next statement sees it.
    for _ in 0..2 {
        let found: Option<IdRow> = diesel::sql_query(
            "WITH inserted AS ( \
               INSERT INTO companies (id, workspace_id, name, created_at, updated_at) \
               VALUES ($1, $2, $3, now(), now()) \
               ON CONFLICT (workspace_id, lower(name)) WHERE deleted_at IS NULL DO NOTHING \
               RETURNING id) \
             SELECT id FROM inserted \
             UNION ALL \
             SELECT id FROM companies WHERE workspace_id = $2 AND lower(name) = lower($3) AND deleted_at IS NULL \
             LIMIT 1",
        )
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<SqlUuid, _>(workspace)
        .bind::<Text, _>(name)
        .get_result(conn)
        .await
        .optional()?;
        if let Some(row) = found {
            return Ok(row.id);
        }
    }
    Err(diesel::result::Error::NotFound)
}

pub async fn exists(conn: &mut AsyncPgConnection, workspace: Uuid, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        companies::table
            .filter(companies::workspace_id.eq(workspace))
            .filter(companies::id.eq(id))
            .filter(companies::deleted_at.is_null()),
    ))
    .get_result(conn)
    .await
}

/// Names of the given companies, in one query.
pub async fn names(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    companies::table
        .filter(companies::workspace_id.eq(workspace))
        .filter(companies::id.eq_any(ids))
        .select((companies::id, companies::name))
        .load(conn)
        .await
}
