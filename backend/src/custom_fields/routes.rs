//! HTTP endpoints for custom field definitions under `/api/v1/custom-fields`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{
    CreateCustomField, CustomField, CustomFieldList, FieldEntity, ListCustomFieldsParams, UpdateCustomField,
};
use super::service;
use crate::error::{AppError, AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::precondition::expected_version;
use crate::http::precondition::stale_status;
use crate::state::AppState;

/// The workspace's custom fields (at most 100 per entity), by entity and position.
#[utoipa::path(tag = "custom-fields", params(ListCustomFieldsParams),
    responses((status = 200, description = "The custom fields", body = CustomFieldList)))]
#[get("/custom-fields")]
pub async fn list_custom_fields(
    state: web::Data<AppState>,
    auth: Auth,
    p: web::Query<ListCustomFieldsParams>,
) -> AppResult<web::Json<CustomFieldList>> {
    let entity = crate::http::params::choice::<FieldEntity>("entity", p.entity.as_deref())
        .map_err(|e| AppError::validation(vec![e]))?;
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace(), entity).await?))
}

/// Define a custom field. Its values are then accepted in the record's `custom_fields` and
/// checked against its type (and options) on every write.
#[utoipa::path(tag = "custom-fields", request_body = CreateCustomField,
    responses(
        (status = 201, description = "The field was created", body = CustomField),
        (status = 409, description = "The key is taken, or the entity has 100 fields", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/custom-fields")]
pub async fn create_custom_field(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<CreateCustomField>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let field = service::create(&mut conn, auth.workspace(), body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/custom-fields/{}", field.id)))
        .json(field))
}

/// Rename a field, change its options or its position.
#[utoipa::path(tag = "custom-fields",
    params(("id" = Uuid, Path, description = "The field's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateCustomField,
    responses((status = 200, description = "The updated field", body = CustomField)))]
#[patch("/custom-fields/{id}")]
pub async fn update_custom_field(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateCustomField>,
) -> AppResult<web::Json<CustomField>> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::update(&mut conn, auth.workspace(), *id, body.0, expected)
            .await
            .map_err(stale_status(&req))?,
    ))
}

/// Delete a field and its values on every record.
#[utoipa::path(tag = "custom-fields", params(("id" = Uuid, Path, description = "The field's id")),
    responses((status = 204, description = "The field and its values are gone")))]
#[delete("/custom-fields/{id}")]
pub async fn delete_custom_field(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::delete(&mut conn, auth.workspace(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
