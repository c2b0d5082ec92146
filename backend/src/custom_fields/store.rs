//! Custom field definitions' rows and SQL, and removing a field's values from records.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::{FieldEntity, FieldType};
use crate::db::WorkspaceId;

#[derive(QueryableByName)]
pub struct Row {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub entity: FieldEntity,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = Text)]
    pub field_type: FieldType,
    #[diesel(sql_type = Array<Text>)]
    pub options: Vec<String>,
    #[diesel(sql_type = Integer)]
    pub position: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    pub version: i32,
}

const COLUMNS: &str = "id, entity, key, label, field_type, options, position, created_at, updated_at, version";

pub struct NewField<'a> {
    pub id: Uuid,
    pub workspace: WorkspaceId,
    pub entity: FieldEntity,
    pub key: &'a str,
    pub label: &'a str,
    pub field_type: FieldType,
    pub options: &'a [String],
    pub position: i32,
    pub now: DateTime<Utc>,
}

/// The workspace's definitions (of one entity when given), in display order.
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    entity: Option<FieldEntity>,
) -> QueryResult<Vec<Row>> {
    diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM custom_field_definitions WHERE workspace_id = $1 AND ($2::text IS NULL OR entity = $2) \
         ORDER BY entity, position, key"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<diesel::sql_types::Nullable<Text>, _>(entity.map(|e| e.as_str()))
    .load(conn)
    .await
}

pub async fn count(conn: &mut AsyncPgConnection, workspace: WorkspaceId, entity: FieldEntity) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count =
        diesel::sql_query("SELECT count(*) AS n FROM custom_field_definitions WHERE workspace_id = $1 AND entity = $2")
            .bind::<SqlUuid, _>(workspace)
            .bind::<Text, _>(entity.as_str())
            .get_result(conn)
            .await?;
    Ok(count.n)
}

pub async fn insert(conn: &mut AsyncPgConnection, f: &NewField<'_>) -> QueryResult<Row> {
    diesel::sql_query(format!(
        "INSERT INTO custom_field_definitions (id, workspace_id, entity, key, label, field_type, options, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(f.id)
    .bind::<SqlUuid, _>(f.workspace)
    .bind::<Text, _>(f.entity.as_str())
    .bind::<Text, _>(f.key)
    .bind::<Text, _>(f.label)
    .bind::<Text, _>(f.field_type.as_str())
    .bind::<Array<Text>, _>(f.options)
    .bind::<Integer, _>(f.position)
    .bind::<Timestamptz, _>(f.now)
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<Row>> {
    diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM custom_field_definitions WHERE workspace_id = $1 AND id = $2"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()
}

/// Changes a definition at `version`; None when it is at another version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    label: &str,
    options: &[String],
    position: i32,
    version: i32,
) -> QueryResult<Option<Row>> {
    diesel::sql_query(format!(
        "UPDATE custom_field_definitions SET label = $3, options = $4, position = $5, updated_at = now(), version = version + 1 \
         WHERE workspace_id = $1 AND id = $2 AND version = $6 RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(label)
    .bind::<Array<Text>, _>(options)
    .bind::<Integer, _>(position)
    .bind::<Integer, _>(version)
    .get_result(conn)
    .await
    .optional()
}

pub async fn delete(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<Row>> {
    diesel::sql_query(format!(
        "DELETE FROM custom_field_definitions WHERE workspace_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()
}

/// Removes the field's value from every record of its entity in the workspace.
pub async fn remove_values(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    entity: FieldEntity,
    key: &str,
) -> QueryResult<usize> {
    let table = match entity {
        FieldEntity::Contact => "contacts",
        FieldEntity::Company => "companies",
        FieldEntity::Deal => "deals",
    };
    diesel::sql_query(format!(
        "UPDATE {table} SET custom_fields = custom_fields - $2 WHERE workspace_id = $1 AND custom_fields ? $2"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(key)
    .execute(conn)
    .await
}
