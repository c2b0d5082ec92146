//! HTTP endpoints for deals under `/api/v1/deals`, and the board of a pipeline.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{
    Board, BoardParams, CreateDeal, Deal, DealPage, ExportDealsParams, ListDealsParams, StageHistory, UpdateDeal,
};
use super::service;
use crate::error::{AppError, AppResult};
use crate::exports::{self, FormatParams};
use crate::http::auth::Auth;
use crate::http::download;
use crate::http::fields::{FieldSet, together};
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::params::{IncludeTrashed, IncludeTrashedParams};
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

/// Every deal the list's filters match, as a CSV or Excel file (in the list's order; amounts
/// as decimals in their currency, custom fields as `custom.<key>` columns). Cells a spreadsheet
/// would run as formulas are written with a leading `'`.
#[utoipa::path(
    tag = "deals",
    params(crate::http::replica::ReadAfterParams, ExportDealsParams, FormatParams),
    responses((status = 200, description = "The file, as an attachment",
        content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
        headers(("Content-Disposition" = String, description = "attachment; filename=\"deals-2026-12-02.csv\"")))),
)]
#[get("/deals/export")]
pub async fn export_deals(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    req: HttpRequest,
    params: web::Query<ExportDealsParams>,
    format: web::Query<FormatParams>,
) -> AppResult<HttpResponse> {
    let format = format.parse();
    let mut conn = state.read_conn(auth.workspace(), read_after.0).await?;
    let mut list = params.as_list();
    // The filters are checked by the first page, before the answer starts.
    list.limit = Some("1".into());
    let checked = service::list(&mut conn, auth.workspace(), &list, auth.user_id()).await;
    let format = match (checked, format) {
        (Ok(_), Ok(f)) => f,
        (Ok(_), Err(e)) => return Err(AppError::validation(vec![e])),
        (Err(e), Ok(_)) => return Err(e),
        (Err(e), Err(more)) => return Err(e.and_invalid(more)),
    };
    let (header, custom_keys) = service::export_header(&mut conn, auth.workspace()).await?;
    let source = DealExport {
        conn,
        workspace: auth.workspace(),
        me: auth.user_id(),
        params: params.as_list(),
        custom_keys,
        done: false,
    };
    let name = exports::file_name("deals", format, chrono::Utc::now());
    download::respond(&req, format, &name, "Deals", header, source).await
}

struct DealExport {
    conn: crate::db::DbConn,
    workspace: crate::db::WorkspaceId,
    me: uuid::Uuid,
    params: ListDealsParams,
    custom_keys: Vec<String>,
    done: bool,
}

impl download::Source for DealExport {
    async fn next_page(&mut self) -> AppResult<Option<Vec<Vec<exports::Cell>>>> {
        service::export_page(
            &mut self.conn,
            self.workspace,
            &mut self.params,
            self.me,
            &self.custom_keys,
            &mut self.done,
        )
        .await
    }
}

/// List deals, newest first by default; filter by pipeline, stage, status, contact or company.
#[utoipa::path(tag = "deals", params(crate::http::replica::ReadAfterParams, ListDealsParams),
    responses((status = 200, description = "A page of deals", body = DealPage)))]
#[get("/deals")]
pub async fn list_deals(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    params: web::Query<ListDealsParams>,
) -> AppResult<HttpResponse> {
    let fields = FieldSet::parse(params.fields.as_deref(), Deal::FIELDS);
    let mut conn = state.read_conn(auth.workspace(), read_after.0).await?;
    let listed = service::list(&mut conn, auth.workspace(), &params, auth.user_id()).await;
    drop(conn);
    let (page, fields) = together(listed, fields)?;
    Ok(crate::http::fields::page(
        &page.items,
        page.next_cursor.as_deref(),
        page.total,
        fields.as_ref(),
    ))
}

/// Create a deal. It starts in the given stage, else the first open stage of the given (or first) pipeline.
#[utoipa::path(tag = "deals",
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string identifying this creation")),
    request_body = CreateDeal,
    responses((status = 201, description = "The deal was created", body = Deal,
        headers(("Location" = String, description = "URL of the deal")))))]
#[post("/deals")]
pub async fn create_deal(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateDeal>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/deals", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one deal. One in the trash answers 404 `trashed` unless asked with `include_trashed=true`.
#[utoipa::path(tag = "deals", params(("id" = Uuid, Path, description = "The deal's id"), IncludeTrashedParams),
    responses((status = 200, description = "The deal", body = Deal)))]
#[get("/deals/{id}")]
pub async fn get_deal(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    include_trashed: IncludeTrashed,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(
        &service::get(&mut conn, auth.workspace(), *id, include_trashed.0).await?
    ))
}

/// Change a deal. Moving it is a change of `stage_id` (one PATCH, recorded in its stage history);
/// a stage of another pipeline needs `pipeline_id` too.
#[utoipa::path(tag = "deals",
    params(("id" = Uuid, Path, description = "The deal's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateDeal,
    responses((status = 200, description = "The updated deal", body = Deal)))]
#[patch("/deals/{id}")]
pub async fn update_deal(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateDeal>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    Ok(ok(&service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?))
}

/// Move a deal to the trash.
#[utoipa::path(tag = "deals",
    params(("id" = Uuid, Path, description = "The deal's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The deal is in the trash")))]
#[delete("/deals/{id}")]
pub async fn delete_deal(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    service::trash(&mut conn, auth.workspace(), *id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take a deal out of the trash.
#[utoipa::path(tag = "deals", params(("id" = Uuid, Path, description = "The deal's id")),
    responses((status = 200, description = "The restored deal", body = Deal)))]
#[post("/deals/{id}/restore")]
pub async fn restore_deal(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::restore(&mut conn, auth.workspace(), *id).await?))
}

/// Every stage the deal entered, oldest first.
#[utoipa::path(tag = "deals", params(("id" = Uuid, Path, description = "The deal's id"), IncludeTrashedParams),
    responses((status = 200, description = "The deal's stage history", body = StageHistory)))]
#[get("/deals/{id}/stage-history")]
pub async fn get_deal_stage_history(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    include_trashed: IncludeTrashed,
) -> AppResult<web::Json<StageHistory>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::stage_history(&mut conn, auth.workspace(), *id, include_trashed.0).await?,
    ))
}

/// A pipeline's live deals grouped by stage, with each stage's count, value and weighted value.
#[utoipa::path(tag = "pipelines", params(crate::http::replica::ReadAfterParams, ("id" = Uuid, Path, description = "The pipeline's id"), BoardParams),
    responses((status = 200, description = "The board", body = Board)))]
#[get("/pipelines/{id}/board")]
pub async fn get_pipeline_board(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    id: web::Path<Uuid>,
    req: HttpRequest,
    params: web::Query<BoardParams>,
) -> AppResult<HttpResponse> {
    // Totals over every deal of the pipeline: reused while the workspace's data is unchanged.
    let key = format!("board:{id}:{}", req.query_string());
    crate::db::fresh::respond_read(&state, auth.workspace(), read_after, &key, async |conn, workspace| {
        service::board(conn, workspace, *id, &params).await
    })
    .await
}
