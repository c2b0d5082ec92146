//! HTTP endpoints for email templates under `/api/v1/templates`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{
    CreateTemplate, ListTemplatesParams, PreviewTemplate, RenderTemplate, RenderedTemplate, Template, TemplatePage,
    UpdateTemplate,
};
use super::service;
use crate::error::{AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

/// List email templates by name, optionally for one scenario, with the variables they may use.
#[utoipa::path(tag = "templates", params(ListTemplatesParams),
    responses((status = 200, description = "A page of templates", body = TemplatePage)))]
#[get("/templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ListTemplatesParams>,
) -> AppResult<web::Json<TemplatePage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace(), &params).await?))
}

/// Create a template. Subject and body must parse: every `{{` closed, variables named like `contact.first_name`.
#[utoipa::path(tag = "templates",
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string identifying this creation")),
    request_body = CreateTemplate,
    responses(
        (status = 201, description = "The template was created", body = Template,
            headers(("Location" = String, description = "URL of the template"))),
        (status = 409, description = "A template with this name exists", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/templates")]
pub async fn create_template(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateTemplate>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/templates", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one template.
#[utoipa::path(tag = "templates", params(("id" = Uuid, Path, description = "The template's id")),
    responses((status = 200, description = "The template", body = Template)))]
#[get("/templates/{id}")]
pub async fn get_template(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Change a template.
#[utoipa::path(tag = "templates",
    params(("id" = Uuid, Path, description = "The template's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateTemplate,
    responses(
        (status = 200, description = "The updated template", body = Template),
        (status = 409, description = "Another template has this name", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/templates/{id}")]
pub async fn update_template(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateTemplate>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    Ok(ok(&service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?))
}

/// Delete a template.
#[utoipa::path(tag = "templates",
    params(("id" = Uuid, Path, description = "The template's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The template is gone")))]
#[delete("/templates/{id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    service::delete(&mut conn, auth.workspace(), *id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Fill a template for a contact; lists variables that are unknown (typos) or empty for this contact.
#[utoipa::path(tag = "templates", params(("id" = Uuid, Path, description = "The template's id")),
    request_body = RenderTemplate,
    responses((status = 200, description = "The filled subject and body", body = RenderedTemplate)))]
#[post("/templates/{id}/render")]
pub async fn render_template(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: ApiJson<RenderTemplate>,
) -> AppResult<web::Json<RenderedTemplate>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::render(&mut conn, auth.workspace(), *id, body.0.contact_id).await?,
    ))
}

/// Fill unsaved template text for a contact (the editor's live preview).
#[utoipa::path(tag = "templates", request_body = PreviewTemplate,
    responses((status = 200, description = "The filled subject and body", body = RenderedTemplate)))]
#[post("/templates/preview")]
pub async fn preview_template(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<PreviewTemplate>,
) -> AppResult<web::Json<RenderedTemplate>> {
    let mut conn = state.conn().await?;
    let p = body.0;
    Ok(web::Json(
        service::preview(&mut conn, auth.workspace(), p.contact_id, &p.subject, &p.body).await?,
    ))
}
