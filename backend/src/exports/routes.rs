//! HTTP handlers of full workspace exports (owners and admins).

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use super::dto::{Export, ExportList};
use super::service;
use crate::error::{AppError, AppResult};
use crate::http::auth::Auth;
use crate::state::AppState;

/// Export everything in the workspace as one .zip: every record as JSON and CSV, the contacts as
/// vCards, follow-ups, reminders and expected close dates as iCalendar, and a README. It is built
/// in the background (follow `progress`) and can be downloaded for 7 days.
#[utoipa::path(
    tag = "exports",
    responses((status = 202, description = "The export is queued", body = Export,
        headers(("Location" = String, description = "The export's address")))),
)]
#[post("/exports")]
pub async fn create_export(state: web::Data<AppState>, auth: Auth) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let export = service::create(&mut conn, auth.workspace(), chrono::Utc::now()).await?;
    crate::jobs::wake();
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/exports/{}", export.id)))
        .json(export))
}

/// The workspace's 20 latest full exports, newest first.
#[utoipa::path(tag = "exports", responses((status = 200, description = "The latest exports", body = ExportList)))]
#[get("/exports")]
pub async fn list_exports(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<ExportList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace()).await?))
}

/// One export: its status, progress, and the download address once it is ready.
#[utoipa::path(
    tag = "exports",
    params(("id" = Uuid, Path, description = "The export's id")),
    responses((status = 200, description = "The export", body = Export)),
)]
#[get("/exports/{id}")]
pub async fn get_export(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<web::Json<Export>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Download a ready export's archive (streamed from storage).
#[utoipa::path(
    tag = "exports",
    params(("id" = Uuid, Path, description = "The export's id")),
    responses(
        (status = 200, description = "The archive", content_type = "application/zip", body = Vec<u8>,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"rapport-export-2026-12-02.zip\""))),
        (status = 409, description = "The export is not ready yet", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The export's 7 days are over", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/exports/{id}/download")]
pub async fn download_export(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let workspace = auth.workspace();
    let mut conn = state.conn().await?;
    let (name, bytes, file) = service::download(&mut conn, workspace, *id).await?;
    let chunks = futures_util::stream::try_unfold((conn, 0), move |(mut conn, seq)| async move {
        match crate::files::store::chunk(&mut conn, workspace, file, seq).await {
            Ok(Some(data)) => Ok(Some((Bytes::from(data), (conn, seq + 1)))),
            Ok(None) => Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "a download failed part-way");
                Err(actix_web::Error::from(AppError::from(e)))
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type(service::ZIP_TYPE)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .no_chunking(u64::try_from(bytes).unwrap_or(0))
        .streaming(chunks))
}
