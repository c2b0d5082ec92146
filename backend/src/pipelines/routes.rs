//! HTTP endpoints for pipelines and stages under `/api/v1/pipelines`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use uuid::Uuid;

use super::dto::{
    CreatePipeline, DeleteStageParams, NewStage, Pipeline, PipelineList, ReorderStages, UpdatePipeline, UpdateStage,
};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::params::ParamErrors;
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

/// Every pipeline with its stages, in order; the first is the default for new deals.
#[utoipa::path(tag = "pipelines", responses((status = 200, description = "The pipelines", body = PipelineList)))]
#[get("/pipelines")]
pub async fn list_pipelines(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<PipelineList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace()).await?))
}

/// Create a pipeline, with its stages (or "New", "Won" and "Lost").
#[utoipa::path(tag = "pipelines",
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string identifying this creation")),
    request_body = CreatePipeline,
    responses((status = 201, description = "The pipeline was created", body = Pipeline,
        headers(("Location" = String, description = "URL of the pipeline")))))]
#[post("/pipelines")]
pub async fn create_pipeline(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreatePipeline>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/pipelines", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one pipeline with its stages.
#[utoipa::path(tag = "pipelines", params(("id" = Uuid, Path, description = "The pipeline's id")),
    responses((status = 200, description = "The pipeline", body = Pipeline)))]
#[get("/pipelines/{id}")]
pub async fn get_pipeline(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Rename a pipeline or change its place in the list (position 0 makes it the default).
#[utoipa::path(tag = "pipelines",
    params(("id" = Uuid, Path, description = "The pipeline's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdatePipeline,
    responses((status = 200, description = "The updated pipeline", body = Pipeline)))]
#[patch("/pipelines/{id}")]
pub async fn update_pipeline(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdatePipeline>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    Ok(ok(&service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?))
}

/// Delete a pipeline. Refused (409) while it holds deals, even trashed ones, or when it is the only pipeline.
#[utoipa::path(tag = "pipelines",
    params(("id" = Uuid, Path, description = "The pipeline's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The pipeline is gone")))]
#[delete("/pipelines/{id}")]
pub async fn delete_pipeline(
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

/// Add a stage to a pipeline; answers with the whole pipeline.
#[utoipa::path(tag = "pipelines",
    params(("id" = Uuid, Path, description = "The pipeline's id")),
    request_body = NewStage,
    responses((status = 201, description = "The stage was added", body = Pipeline,
        headers(("Location" = String, description = "URL of the pipeline")))))]
#[post("/pipelines/{id}/stages")]
pub async fn create_stage(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<NewStage>,
) -> AppResult<HttpResponse> {
    let pipeline = *id;
    idempotency::create(
        &state,
        &req,
        body.0,
        "/api/v1/pipelines",
        move |conn, workspace, input| Box::pin(service::add_stage(conn, workspace, pipeline, input)),
    )
    .await
}

/// Rename a stage, change its default probability, or its kind (only while it holds no deals).
#[utoipa::path(tag = "pipelines",
    params(("id" = Uuid, Path, description = "The pipeline's id"), ("stage_id" = Uuid, Path, description = "The stage's id")),
    request_body = UpdateStage,
    responses((status = 200, description = "The pipeline with the changed stage", body = Pipeline)))]
#[patch("/pipelines/{id}/stages/{stage_id}")]
pub async fn update_stage(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    body: ApiJson<UpdateStage>,
) -> AppResult<HttpResponse> {
    let (pipeline, stage) = *path;
    let mut conn = state.conn().await?;
    Ok(ok(&service::update_stage(
        &mut conn,
        auth.workspace(),
        pipeline,
        stage,
        body.0,
    )
    .await?))
}

/// Delete a stage. If it holds deals, `move_to` names the stage they move to first (recorded in their stage history); without it the answer is 409.
#[utoipa::path(tag = "pipelines",
    params(("id" = Uuid, Path, description = "The pipeline's id"), ("stage_id" = Uuid, Path, description = "The stage's id"),
        DeleteStageParams),
    responses((status = 200, description = "The pipeline without the stage", body = Pipeline)))]
#[delete("/pipelines/{id}/stages/{stage_id}")]
pub async fn delete_stage(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    params: web::Query<DeleteStageParams>,
) -> AppResult<HttpResponse> {
    let (pipeline, stage) = *path;
    let mut errors = ParamErrors::default();
    let move_to = errors
        .take(crate::http::params::uuid("move_to", params.move_to.as_deref()))
        .flatten();
    errors.finish()?;
    let mut conn = state.conn().await?;
    Ok(ok(&service::delete_stage(
        &mut conn,
        auth.workspace(),
        pipeline,
        stage,
        move_to,
    )
    .await?))
}

/// Put a pipeline's stages in a new order (every stage, once).
#[utoipa::path(tag = "pipelines",
    params(("id" = Uuid, Path, description = "The pipeline's id")),
    request_body = ReorderStages,
    responses((status = 200, description = "The reordered pipeline", body = Pipeline)))]
#[put("/pipelines/{id}/stages/order")]
pub async fn reorder_stages(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: ApiJson<ReorderStages>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(
        &service::reorder_stages(&mut conn, auth.workspace(), *id, body.0).await?
    ))
}
