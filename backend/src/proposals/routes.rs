//! HTTP endpoints for proposals under `/api/v1/proposals`: JSON, a printable page and a PDF.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{CreateProposal, ListProposalsParams, Proposal, ProposalPage, UpdateProposal};
use super::{html, pdf, service};
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

/// A file name for downloads: "proposal-7-website-redesign.pdf".
fn file_name(p: &Proposal) -> String {
    let slug: String = p
        .title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug: Vec<&str> = slug.split('-').filter(|s| !s.is_empty()).collect();
    let slug = slug.join("-");
    let slug: String = slug.chars().take(60).collect();
    if slug.is_empty() {
        format!("proposal-{}.pdf", p.number)
    } else {
        format!("proposal-{}-{slug}.pdf", p.number)
    }
}

/// List proposals, newest first; filter by deal or status.
#[utoipa::path(tag = "proposals", params(ListProposalsParams),
    responses((status = 200, description = "A page of proposals", body = ProposalPage)))]
#[get("/proposals")]
pub async fn list_proposals(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ListProposalsParams>,
) -> AppResult<web::Json<ProposalPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace(), &params).await?))
}

/// Draft a proposal for a deal. Lines name a catalogue product (its name and price are the
/// defaults) or carry their own description and price.
#[utoipa::path(tag = "proposals",
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string identifying this creation")),
    request_body = CreateProposal,
    responses((status = 201, description = "The proposal was created", body = Proposal,
        headers(("Location" = String, description = "URL of the proposal")))))]
#[post("/proposals")]
pub async fn create_proposal(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateProposal>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/proposals", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one proposal with its lines and totals.
#[utoipa::path(tag = "proposals", params(("id" = Uuid, Path, description = "The proposal's id")),
    responses((status = 200, description = "The proposal", body = Proposal)))]
#[get("/proposals/{id}")]
pub async fn get_proposal(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Change a proposal: its text, tax, status, or all its lines at once.
#[utoipa::path(tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateProposal,
    responses((status = 200, description = "The updated proposal", body = Proposal)))]
#[patch("/proposals/{id}")]
pub async fn update_proposal(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateProposal>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    Ok(ok(&service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?))
}

/// Delete a proposal.
#[utoipa::path(tag = "proposals",
    params(("id" = Uuid, Path, description = "The proposal's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The proposal is gone")))]
#[delete("/proposals/{id}")]
pub async fn delete_proposal(
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

/// The proposal as a printable web page.
#[utoipa::path(tag = "proposals", params(("id" = Uuid, Path, description = "The proposal's id")),
    responses((status = 200, description = "A self-contained HTML page", content_type = "text/html", body = String)))]
#[get("/proposals/{id}/print")]
pub async fn print_proposal(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let p = service::get(&mut conn, auth.workspace(), *id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
        ))
        .body(html::render(&p)))
}

/// The proposal as a PDF download.
#[utoipa::path(tag = "proposals", params(("id" = Uuid, Path, description = "The proposal's id")),
    responses((status = 200, description = "An A4 PDF", content_type = "application/pdf", body = Vec<u8>)))]
#[get("/proposals/{id}/pdf")]
pub async fn download_proposal_pdf(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let p = service::get(&mut conn, auth.workspace(), *id).await?;
    let bytes = pdf::render(&p);
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file_name(&p)),
        ))
        .body(bytes))
}
