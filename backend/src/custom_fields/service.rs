//! Custom field definitions (at most 100 per entity) and the checks other domains ask for.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::dto::{CreateCustomField, CustomField, CustomFieldList, FieldEntity, FieldType, UpdateCustomField};
use super::values::{self, Def};
use crate::error::{AppError, AppResult, FieldError};

const NOT_FOUND: &str = "the custom field";
const MAX_PER_ENTITY: i64 = 100;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    entity: FieldEntity,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = Text)]
    field_type: FieldType,
    #[diesel(sql_type = Array<Text>)]
    options: Vec<String>,
    #[diesel(sql_type = Integer)]
    position: i32,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    version: i32,
}

const COLUMNS: &str = "id, entity, key, label, field_type, options, position, created_at, updated_at, version";

fn to_dto(r: Row) -> CustomField {
    CustomField {
        id: r.id,
        entity: r.entity,
        key: r.key,
        label: r.label,
        field_type: r.field_type,
        options: r.options,
        position: r.position,
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    }
}

fn check_options(field_type: FieldType, options: &[String]) -> AppResult<Vec<String>> {
    let mut clean: Vec<String> = Vec::new();
    for o in options.iter().map(|o| o.trim().to_owned()) {
        if !clean.contains(&o) {
            clean.push(o);
        }
    }
    match field_type {
        FieldType::Select | FieldType::MultiSelect if clean.is_empty() => Err(AppError::invalid_field(
            "options",
            "a select field needs at least one option",
        )),
        FieldType::Select | FieldType::MultiSelect => Ok(clean),
        _ if !clean.is_empty() => Err(AppError::invalid_field("options", "only select fields have options")),
        _ => Ok(clean),
    }
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    entity: Option<FieldEntity>,
) -> AppResult<CustomFieldList> {
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM custom_field_definitions WHERE workspace_id = $1 AND ($2::text IS NULL OR entity = $2) \
         ORDER BY entity, position, key"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<diesel::sql_types::Nullable<Text>, _>(entity.map(|e| e.as_str()))
    .load(conn)
    .await?;
    Ok(CustomFieldList {
        items: rows.into_iter().map(to_dto).collect(),
    })
}

/// The definitions values of an entity are checked against.
pub async fn defs(conn: &mut AsyncPgConnection, workspace: Uuid, entity: FieldEntity) -> AppResult<Vec<Def>> {
    Ok(list(conn, workspace, Some(entity))
        .await?
        .items
        .into_iter()
        .map(|f| Def {
            key: f.key,
            field_type: f.field_type,
            options: f.options,
        })
        .collect())
}

/// Checks custom-field changes for a record of `entity` and returns its new values.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    entity: FieldEntity,
    current: &Value,
    changes: &Map<String, Value>,
) -> AppResult<Value> {
    if changes.is_empty() {
        return Ok(current.clone());
    }
    let defs = defs(conn, workspace, entity).await?;
    let current = current.as_object().cloned().unwrap_or_default();
    values::apply(&defs, &current, changes)
        .map(Value::Object)
        .map_err(AppError::validation)
}

/// The containment filter for a `custom_field=key:value` parameter.
pub async fn filter(conn: &mut AsyncPgConnection, workspace: Uuid, entity: FieldEntity, raw: &str) -> AppResult<Value> {
    let defs = defs(conn, workspace, entity).await?;
    values::filter(&defs, raw).map_err(|e: FieldError| AppError::validation(vec![e]))
}

pub async fn create(conn: &mut AsyncPgConnection, workspace: Uuid, input: CreateCustomField) -> AppResult<CustomField> {
    let options = check_options(input.field_type, &input.options)?;
    conn.transaction::<_, AppError, _>(async move |conn| {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let count: Count =
            diesel::sql_query("SELECT count(*) AS n FROM custom_field_definitions WHERE workspace_id = $1 AND entity = $2")
                .bind::<SqlUuid, _>(workspace)
                .bind::<Text, _>(input.entity.as_str())
                .get_result(conn)
                .await?;
        if count.n >= MAX_PER_ENTITY {
            return Err(AppError::conflict("too_many_fields", format!("a {} can have at most {MAX_PER_ENTITY} custom fields", input.entity)));
        }
        let now = Utc::now();
        let row: Row = diesel::sql_query(format!(
            "INSERT INTO custom_field_definitions (id, workspace_id, entity, key, label, field_type, options, position, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {COLUMNS}"
        ))
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<SqlUuid, _>(workspace)
        .bind::<Text, _>(input.entity.as_str())
        .bind::<Text, _>(&input.key)
        .bind::<Text, _>(input.label.trim())
        .bind::<Text, _>(input.field_type.as_str())
        .bind::<Array<Text>, _>(&options)
        .bind::<Integer, _>(input.position.unwrap_or(count.n as i32))
        .bind::<Timestamptz, _>(now)
        .get_result(conn)
        .await
        .map_err(|e| {
            let e = AppError::from(e);
            if e.code() == "already_exists" {
                AppError::conflict("already_exists", format!("a {} field with the key '{}' already exists", input.entity, input.key))
            } else {
                e
            }
        })?;
        Ok(to_dto(row))
    })
    .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    id: Uuid,
    input: UpdateCustomField,
    expected: Option<i32>,
) -> AppResult<CustomField> {
    let current: Row = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM custom_field_definitions WHERE workspace_id = $1 AND id = $2"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?
    .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    if expected.is_some_and(|v| v != current.version) {
        return Err(AppError::version_conflict(current.version));
    }
    let options = match &input.options {
        Some(o) => check_options(current.field_type, o)?,
        None => current.options.clone(),
    };
    let row: Row = diesel::sql_query(format!(
        "UPDATE custom_field_definitions SET label = $3, options = $4, position = $5, updated_at = now(), version = version + 1 \
         WHERE workspace_id = $1 AND id = $2 AND version = $6 RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(input.label.as_deref().map(str::trim).unwrap_or(&current.label))
    .bind::<Array<Text>, _>(&options)
    .bind::<Integer, _>(input.position.unwrap_or(current.position))
    .bind::<Integer, _>(current.version)
    .get_result(conn)
    .await
    .optional()?
    .ok_or_else(|| AppError::version_conflict(current.version + 1))?;
    Ok(to_dto(row))
}

/// Deletes a definition and, in the same transaction, its values on every record.
pub async fn delete(conn: &mut AsyncPgConnection, workspace: Uuid, id: Uuid) -> AppResult<()> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row: Row = diesel::sql_query(format!(
            "DELETE FROM custom_field_definitions WHERE workspace_id = $1 AND id = $2 RETURNING {COLUMNS}"
        ))
        .bind::<SqlUuid, _>(workspace)
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
        let table = match row.entity {
            FieldEntity::Contact => Some("contacts"),
            FieldEntity::Company => Some("companies"),
            FieldEntity::Deal => None,
        };
        if let Some(table) = table {
            diesel::sql_query(format!(
                "UPDATE {table} SET custom_fields = custom_fields - $2 WHERE workspace_id = $1 AND custom_fields ? $2"
            ))
            .bind::<SqlUuid, _>(workspace)
            .bind::<Text, _>(&row.key)
            .execute(conn)
            .await?;
        }
        Ok(())
    })
    .await
}
