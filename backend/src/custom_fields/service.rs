//! Custom field definitions (at most 100 per entity) and the checks other domains ask for.

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::dto::{CreateCustomField, CustomField, CustomFieldList, FieldEntity, FieldType, UpdateCustomField};
use super::store::{self, NewField, Row};
use super::values::{self, Def};
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult, FieldError};

const NOT_FOUND: &str = "the custom field";
const MAX_PER_ENTITY: i64 = 100;

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
    workspace: WorkspaceId,
    entity: Option<FieldEntity>,
) -> AppResult<CustomFieldList> {
    let rows = store::list(conn, workspace, entity).await?;
    Ok(CustomFieldList {
        items: rows.into_iter().map(to_dto).collect(),
    })
}

/// The definitions values of an entity are checked against.
pub async fn defs(conn: &mut AsyncPgConnection, workspace: WorkspaceId, entity: FieldEntity) -> AppResult<Vec<Def>> {
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
    workspace: WorkspaceId,
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

/// `changes` checked against the entity's definitions, to be applied to a record's values as
/// they are when it is written (see [`values::ValuesChange`]).
pub async fn change(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    entity: FieldEntity,
    changes: &Map<String, Value>,
) -> AppResult<values::ValuesChange> {
    let defs = defs(conn, workspace, entity).await?;
    values::change(&defs, changes).map_err(AppError::validation)
}

/// The containment filter for a `custom_field=key:value` parameter.
pub async fn filter(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    entity: FieldEntity,
    raw: &str,
) -> AppResult<Value> {
    let defs = defs(conn, workspace, entity).await?;
    values::filter(&defs, raw).map_err(|e: FieldError| AppError::validation(vec![e]))
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateCustomField,
) -> AppResult<CustomField> {
    let options = check_options(input.field_type, &input.options)?;
    conn.transaction::<_, AppError, _>(async move |conn| {
        let count = store::count(conn, workspace, input.entity).await?;
        if count >= MAX_PER_ENTITY {
            return Err(AppError::conflict(
                "too_many_fields",
                format!("a {} can have at most {MAX_PER_ENTITY} custom fields", input.entity),
            ));
        }
        let now = Utc::now();
        let row = store::insert(
            conn,
            &NewField {
                id: Uuid::now_v7(),
                workspace,
                entity: input.entity,
                key: &input.key,
                label: input.label.trim(),
                field_type: input.field_type,
                options: &options,
                position: input.position.unwrap_or(count as i32),
                now,
            },
        )
        .await
        .map_err(|e| {
            let e = AppError::from(e);
            if e.code() == "already_exists" {
                AppError::conflict(
                    "already_exists",
                    format!("a {} field with the key '{}' already exists", input.entity, input.key),
                )
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
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateCustomField,
    expected: Option<i32>,
) -> AppResult<CustomField> {
    let current = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    if expected.is_some_and(|v| v != current.version) {
        return Err(AppError::version_conflict(current.version));
    }
    let options = match &input.options {
        Some(o) => check_options(current.field_type, o)?,
        None => current.options.clone(),
    };
    let label = input.label.as_deref().map(str::trim).unwrap_or(&current.label);
    let position = input.position.unwrap_or(current.position);
    let row = store::update(conn, workspace, id, label, &options, position, current.version)
        .await?
        .ok_or_else(|| AppError::version_conflict(current.version + 1))?;
    Ok(to_dto(row))
}

/// Deletes a definition and, in the same transaction, its values on every record.
pub async fn delete(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<()> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = store::delete(conn, workspace, id)
            .await?
            .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
        store::remove_values(conn, workspace, row.entity, &row.key).await?;
        Ok(())
    })
    .await
}
