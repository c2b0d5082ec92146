//! HTTP endpoints for companies under `/api/v1/companies`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{Company, CompanyPage, CreateCompany, UpdateCompany};
use super::query::{CompanyQuery, ExportCompaniesParams, ListCompaniesParams};
use super::service;
use crate::error::{AppError, AppResult, Problem};
use crate::exports::{self, FormatParams};
use crate::http::auth::Auth;
use crate::http::download;
use crate::http::fields::{FieldSet, together};
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::params::{IncludeTrashed, IncludeTrashedParams};
use crate::http::precondition::{etag, expected_version, if_match, stale_status};
use crate::state::AppState;

fn with_etag(mut res: HttpResponse, company: &Company) -> HttpResponse {
    if let Ok(v) = header::HeaderValue::from_str(&etag(company.version).to_string()) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// List companies: search, filter by industry, sort, and page through them with a cursor.
#[utoipa::path(
    tag = "companies",
    params(crate::http::replica::ReadAfterParams, ListCompaniesParams),
    responses((status = 200, description = "A page of companies", body = CompanyPage)),
)]
#[get("/companies")]
pub async fn list_companies(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    params: web::Query<ListCompaniesParams>,
) -> AppResult<HttpResponse> {
    let (query, fields) = together(
        CompanyQuery::from_params(&params),
        FieldSet::parse(params.fields.as_deref(), Company::FIELDS),
    )?;
    let mut conn = state.read_conn(auth.workspace(), read_after.0).await?;
    let page = service::list(&mut conn, auth.workspace(), query).await?;
    drop(conn);
    Ok(crate::http::fields::page(
        &page.items,
        page.next_cursor.as_deref(),
        page.total,
        fields.as_ref(),
    ))
}

/// Every company the list's filters match, as a CSV or Excel file (in the list's order, with
/// custom fields as `custom.<key>` columns). Cells a spreadsheet would run as formulas are
/// written with a leading `'`.
#[utoipa::path(
    tag = "companies",
    params(crate::http::replica::ReadAfterParams, ExportCompaniesParams, FormatParams),
    responses((status = 200, description = "The file, as an attachment",
        content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
        headers(("Content-Disposition" = String, description = "attachment; filename=\"companies-2026-12-02.csv\"")))),
)]
#[get("/companies/export")]
pub async fn export_companies(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    req: HttpRequest,
    params: web::Query<ExportCompaniesParams>,
    format: web::Query<FormatParams>,
) -> AppResult<HttpResponse> {
    let (mut query, format) = match (CompanyQuery::from_params(&params.as_list()), format.parse()) {
        (Ok(q), Ok(f)) => (q, f),
        (Ok(_), Err(e)) => return Err(AppError::validation(vec![e])),
        (Err(e), Ok(_)) => return Err(e),
        (Err(e), Err(more)) => return Err(e.and_invalid(more)),
    };
    let mut conn = state.read_conn(auth.workspace(), read_after.0).await?;
    service::narrow(&mut conn, &mut query).await?;
    let (header, custom_keys) = service::export_header(&mut conn, auth.workspace()).await?;
    let source = CompanyExport {
        conn,
        workspace: auth.workspace(),
        query,
        custom_keys,
    };
    let name = exports::file_name("companies", format, chrono::Utc::now());
    download::respond(&req, format, &name, "Companies", header, source).await
}

struct CompanyExport {
    conn: crate::db::DbConn,
    workspace: crate::db::WorkspaceId,
    query: CompanyQuery,
    custom_keys: Vec<String>,
}

impl download::Source for CompanyExport {
    async fn next_page(&mut self) -> AppResult<Option<Vec<Vec<exports::Cell>>>> {
        service::export_page(&mut self.conn, self.workspace, &mut self.query, &self.custom_keys).await
    }
}

/// Create a company. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "companies",
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Any unique string (e.g. a UUID) identifying this creation; kept for 24 hours")),
    request_body = CreateCompany,
    responses(
        (status = 201, description = "The company was created", body = Company,
            headers(("Location" = String, description = "URL of the new company"), ("ETag" = String, description = "The company's version"))),
        (status = 409, description = "A company with this name exists, or the Idempotency-Key was used for another request",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/companies")]
pub async fn create_company(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateCompany>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/companies", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one company. One in the trash answers 404 `trashed` unless asked with `include_trashed=true`.
#[utoipa::path(
    tag = "companies",
    params(("id" = Uuid, Path, description = "The company's id"), IncludeTrashedParams),
    responses(
        (status = 200, description = "The company", body = Company,
            headers(("ETag" = String, description = "The company's version, for If-Match"))),
        (status = 308, description = "The company was merged into another (`merged`): `Location` and `survivor_id` \
            name the one that stands for it now", body = Problem, content_type = "application/problem+json",
            headers(("Location" = String, description = "URL of the surviving company"))),
    ),
)]
#[get("/companies/{id}")]
pub async fn get_company(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    include_trashed: IncludeTrashed,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let company = service::get(&mut conn, auth.workspace(), *id, include_trashed.0)
        .await
        .map_err(|e| e.redirect("/api/v1/companies"))?;
    Ok(with_etag(HttpResponse::Ok().json(&company), &company))
}

/// Change some of a company's fields. Send `If-Match` (or `version`) to refuse overwriting a newer edit.
#[utoipa::path(
    tag = "companies",
    params(
        ("id" = Uuid, Path, description = "The company's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag, e.g. \"1\""),
    ),
    request_body = UpdateCompany,
    responses(
        (status = 200, description = "The updated company", body = Company,
            headers(("ETag" = String, description = "The company's new version"))),
        (status = 409, description = "Another company has this name", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/companies/{id}")]
pub async fn update_company(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateCompany>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    let company = service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?;
    Ok(with_etag(HttpResponse::Ok().json(&company), &company))
}

/// Move a company to the trash. Its contacts keep their link; it can be restored.
#[utoipa::path(
    tag = "companies",
    params(
        ("id" = Uuid, Path, description = "The company's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag"),
    ),
    responses((status = 204, description = "The company is in the trash")),
)]
#[delete("/companies/{id}")]
pub async fn delete_company(
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

/// Bring a company back from the trash.
#[utoipa::path(
    tag = "companies",
    params(("id" = Uuid, Path, description = "The company's id")),
    responses(
        (status = 200, description = "The restored company", body = Company),
        (status = 409, description = "A live company now has the same name", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/companies/{id}/restore")]
pub async fn restore_company(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    let company = service::restore(&mut conn, auth.workspace(), *id, expected).await?;
    Ok(with_etag(HttpResponse::Ok().json(&company), &company))
}
