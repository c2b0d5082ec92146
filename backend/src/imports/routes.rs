//! HTTP endpoints under `/api/v1/imports`.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{
    Import, ImportKind, ImportPage, ImportPreview, ImportUpload, NewSavedMapping, PreviewImport, RowOutcome,
    SavedMapping, SavedMappingList,
};
use super::service;
use crate::error::{AppError, AppResult};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::params::{self, ParamErrors};
use crate::state::AppState;

/// An upload may take this many times the usual body time to arrive (it is up to 50 MB, or a
/// workspace export of up to 2 GiB).
const UPLOAD_TIME_FACTOR: u32 = 10;

struct Upload {
    file_name: String,
    bytes: Vec<u8>,
    /// A file over `MAX_BYTES` that is a zip (a workspace export) or an mbox is written to a
    /// temporary file as it arrives instead of being held in memory.
    spooled: Option<std::fs::File>,
    /// The spooled file is an mbox (it starts with an envelope's `From `).
    spooled_mbox: bool,
    /// Further `file` parts (several `.eml` or `.ics` files at once).
    more: Vec<(String, Vec<u8>)>,
    kind: Option<ImportKind>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// An mbox starts with its first message's envelope line.
const MBOX_MAGIC: &[u8] = b"From ";
/// Further `file` parts an upload may carry (a folder of `.eml` files).
const MAX_FILES: usize = 9_999;

async fn read_form(req: &HttpRequest, payload: web::Payload) -> AppResult<Upload> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err(AppError::unsupported_media_type(
            "send the file as multipart/form-data with a `file` part",
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // The form's own boundaries and headers come on top of the file.
    let limit = service::MAX_ARCHIVE_BYTES + 64 * 1024;
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::payload_too_large(service::MAX_ARCHIVE_BYTES));
    }
    let timeout = crate::http::json::body_timeout(req) * UPLOAD_TIME_FACTOR;
    let mut form = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let read = async move {
        let bad = |m: String| AppError::bad_request("bad_multipart", m);
        let mut upload = Upload {
            file_name: String::new(),
            bytes: Vec::new(),
            spooled: None,
            spooled_mbox: false,
            more: Vec::new(),
            kind: None,
        };
        let mut seen_file = false;
        let mut total = 0usize;
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| bad(format!("the form could not be read: {e}")))?;
            let name = field.name().unwrap_or("").to_owned();
            let file_name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename().map(str::to_owned));
            let mut data = Vec::new();
            let mut spool: Option<std::fs::File> = None;
            let mut spool_mbox = false;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| bad(format!("the form could not be read: {e}")))?;
                total += chunk.len();
                if total > service::MAX_ARCHIVE_BYTES {
                    return Err(AppError::payload_too_large(service::MAX_ARCHIVE_BYTES));
                }
                if let Some(file) = spool.as_mut() {
                    std::io::Write::write_all(file, &chunk).map_err(AppError::internal)?;
                    continue;
                }
                data.extend_from_slice(&chunk);
                if total > service::MAX_BYTES {
                    // Only a workspace export or a mailbox may be larger; it goes to disk from here on.
                    spool_mbox = data.starts_with(MBOX_MAGIC);
                    if name != "file" || seen_file || !(data.starts_with(ZIP_MAGIC) || spool_mbox) {
                        return Err(AppError::payload_too_large(service::MAX_BYTES));
                    }
                    let mut file = tempfile::tempfile().map_err(AppError::internal)?;
                    std::io::Write::write_all(&mut file, &data).map_err(AppError::internal)?;
                    data = Vec::new();
                    spool = Some(file);
                }
            }
            match name.as_str() {
                "file" if seen_file => {
                    if upload.more.len() >= MAX_FILES {
                        return Err(service::form_error(
                            "file",
                            format!("at most {} files are read at once", MAX_FILES + 1),
                        ));
                    }
                    upload.more.push((file_name.unwrap_or_else(|| "upload".into()), data));
                }
                "file" => {
                    seen_file = true;
                    upload.file_name = file_name.unwrap_or_else(|| "upload".into());
                    upload.bytes = data;
                    upload.spooled = spool;
                    upload.spooled_mbox = spool_mbox;
                }
                "kind" => {
                    let text = String::from_utf8(data).unwrap_or_default();
                    let kind = text
                        .trim()
                        .parse::<ImportKind>()
                        .map_err(|m| service::form_error("kind", m))?;
                    upload.kind = Some(kind);
                }
                other => return Err(service::form_error(other, "is not a part of this form (file, kind)")),
            }
        }
        if !seen_file {
            return Err(service::form_error("file", "is required"));
        }
        Ok(upload)
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| Err(AppError::request_timeout(timeout)))
}

/// Upload a file to import: a CSV of contacts (with their companies), a vCard file, email
/// files (`.eml`, several at once, or an `mbox`) or calendar files (`.ics`) whose messages and
/// events become interactions on the contacts their addresses match, or a full workspace export
/// (.zip, `kind=workspace_zip`; owners and admins, into an empty workspace).
/// The file is read (encoding and delimiter detected, records stored) and the answer suggests a
/// mapping from its header; nothing is imported until the import is previewed and committed (an
/// archive is committed without a preview).
#[utoipa::path(
    tag = "imports",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The file as read, with a suggested mapping", body = Import),
        (status = 409, description = "A workspace export sent to a workspace that is not empty", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let upload = read_form(&req, payload).await?;
    if upload.spooled_mbox && matches!(upload.kind, None | Some(ImportKind::Mbox)) {
        let Some(file) = upload.spooled else {
            return Err(AppError::internal(anyhow::anyhow!("a spooled upload without its file")));
        };
        let size = usize::try_from(file.metadata().map_err(AppError::internal)?.len()).unwrap_or(usize::MAX);
        let mut conn = state.conn().await?;
        let import = service::upload_mbox_file(
            &mut conn,
            auth.workspace(),
            &upload.file_name,
            file,
            size,
            chrono::Utc::now(),
        )
        .await?;
        return Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/imports/{}", import.id)))
            .json(import));
    }
    let archive = match upload.kind {
        Some(kind) => kind == ImportKind::WorkspaceZip,
        None => (upload.spooled.is_some() && !upload.spooled_mbox) || upload.bytes.starts_with(ZIP_MAGIC),
    };
    if !archive && upload.spooled.is_some() {
        return Err(AppError::payload_too_large(service::MAX_BYTES));
    }
    if archive {
        let sniffed = upload.kind.is_none();
        let name = upload.file_name;
        let file = match upload.spooled {
            Some(file) => file,
            None => {
                let mut file = tempfile::tempfile().map_err(AppError::internal)?;
                std::io::Write::write_all(&mut file, &upload.bytes).map_err(AppError::internal)?;
                file
            }
        };
        let (manifest, file, size) = match web::block(move || service::inspect_archive(file))
            .await
            .map_err(AppError::internal)?
        {
            Ok(read) => read,
            // A .zip nobody said was an export is most likely a spreadsheet saved as a workbook.
            Err(e) if sniffed && e.code() == "not_a_workspace_export" => {
                return Err(AppError::unprocessable(
                    "not_a_text_file",
                    "this file is a .zip or an Excel workbook, not a CSV or vCard file: save the sheet as CSV \
                     (UTF-8) and upload that, or upload a Rapport workspace export",
                ));
            }
            Err(e) => return Err(e),
        };
        if !auth.role().allows(crate::accounts::dto::Role::Admin) {
            return Err(AppError::forbidden(
                "restoring a workspace export takes an owner or an admin of the workspace",
            ));
        }
        let mut conn = state.conn().await?;
        let import = service::upload_archive(
            &mut conn,
            auth.workspace(),
            &name,
            file,
            size,
            manifest,
            chrono::Utc::now(),
        )
        .await?;
        return Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/imports/{}", import.id)))
            .json(import));
    }
    let kind = upload
        .kind
        .or_else(|| service::sniff_messages(&upload.file_name, &upload.bytes));
    let several = !upload.more.is_empty();
    if several && !matches!(kind, Some(ImportKind::Eml | ImportKind::Ics)) {
        return Err(service::form_error(
            "file",
            "send one file, unless they are .eml or .ics files",
        ));
    }
    let size = upload.bytes.len() + upload.more.iter().map(|(_, b)| b.len()).sum::<usize>();
    let name = if several {
        format!("{} and {} more", upload.file_name, upload.more.len())
    } else {
        upload.file_name.clone()
    };
    // Decoding and reading the file is bulk work: requests go first.
    let read = crate::jobs::cpu::run(move || match kind {
        Some(kind) if kind.is_messages() => {
            let mut files = vec![(upload.file_name, upload.bytes)];
            files.extend(upload.more);
            service::read_messages(files, kind)
        }
        _ => service::read_file(&upload.file_name, &upload.bytes, kind),
    })
    .await??;
    let mut conn = state.conn().await?;
    let import = service::upload(&mut conn, auth.workspace(), &name, size, read, chrono::Utc::now()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{}", import.id)))
        .json(import))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListImportsParams {
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// The workspace's imports, newest first.
#[utoipa::path(tag = "imports", params(ListImportsParams), responses((status = 200, description = "A page of imports", body = ImportPage)))]
#[get("/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ListImportsParams>,
) -> AppResult<web::Json<ImportPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::list(
            &mut conn,
            auth.workspace(),
            params.limit.as_deref(),
            params.cursor.as_deref(),
        )
        .await?,
    ))
}

/// One import: its file, mapping, counts, the commit's progress and result.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id")),
    responses((status = 200, description = "The import", body = Import)),
)]
#[get("/imports/{id}")]
pub async fn get_import(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<web::Json<Import>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Plan the import with a mapping and a policy: every record's outcome (create, update with
/// the fields it changes, skip with the reason, or error with the column and the reason), the
/// counts for the whole file, and the first page of records. Nothing is written to contacts.
/// An email or calendar import takes no mapping: each message is matched to contacts by its
/// From/To/Cc (or organizer and attendees), the addresses no contact has are listed in
/// `unmatched`, and `create_contacts` names those to create contacts for.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id")),
    request_body = PreviewImport,
    responses(
        (status = 200, description = "Counts and the first page of records", body = ImportPreview),
        (status = 409, description = "The import is committing, committed or rolled back", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/imports/{id}/preview")]
pub async fn preview_import(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: ApiJson<PreviewImport>,
) -> AppResult<web::Json<ImportPreview>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::preview(&mut conn, auth.workspace(), *id, body.0).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportRowsParams {
    /// Only records with this outcome.
    pub outcome: Option<RowOutcome>,
    /// `next_after` from the previous page: records after this one.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 2147483647)]
    pub after: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// A page of the planned records (after a preview), of one outcome when asked.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id"), ImportRowsParams),
    responses((status = 200, description = "Counts and a page of records", body = ImportPreview)),
)]
#[get("/imports/{id}/rows")]
pub async fn list_import_rows(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    params: web::Query<ImportRowsParams>,
) -> AppResult<web::Json<ImportPreview>> {
    let mut errors = ParamErrors::default();
    let limit = errors
        .take(params::limit(params.limit.as_deref()))
        .unwrap_or(params::DEFAULT_LIMIT);
    let after = match params.after.as_deref().map(str::trim) {
        None => 0,
        Some(raw) => match raw.parse::<i32>() {
            Ok(n) if n >= 0 => n,
            _ => {
                errors.push("after", "must be a whole number, 0 or more");
                0
            }
        },
    };
    errors.finish()?;
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::rows(&mut conn, auth.workspace(), *id, params.outcome, after, limit).await?,
    ))
}

/// Commit a previewed import. It runs in the background (follow `progress` on the import);
/// the records are planned again against the current data and written in one transaction, so
/// a failure leaves the workspace as it was (status `failed`; commit again to retry).
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id")),
    responses(
        (status = 202, description = "The commit is queued", body = Import),
        (status = 409, description = "The import is not previewed, or already committing or committed", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/imports/{id}/commit")]
pub async fn commit_import(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let import = service::commit(&mut conn, auth.workspace(), *id, chrono::Utc::now()).await?;
    crate::jobs::wake();
    Ok(HttpResponse::Accepted().json(import))
}

/// Undo a committed import: contacts it created go to the trash (with the companies it created
/// that nothing else uses), fields it updated get their previous values back. A contact edited
/// since the import is left as it is and counted as `kept_changed`. An email or calendar import
/// deletes the interactions it added (one edited since is kept) and trashes the contacts it
/// created that have nothing else.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import, rolled back, with what the rollback did in `result.rollback`", body = Import),
        (status = 409, description = "The import is not committed, or already rolled back", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/imports/{id}/rollback")]
pub async fn rollback_import(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Import>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::rollback(&mut conn, auth.workspace(), *id, chrono::Utc::now()).await?,
    ))
}

/// The records in error as a CSV — the file's columns plus an `Error` column naming the column
/// and the reason — to fix and import again.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id")),
    responses((status = 200, description = "The failed records", content_type = "text/csv", body = String,
        headers(("Content-Disposition" = String, description = "attachment; filename=\"contacts-errors.csv\"")))),
)]
#[get("/imports/{id}/errors.csv")]
pub async fn get_import_errors(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (name, body) = service::errors_csv(&mut conn, auth.workspace(), *id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .body(body))
}

/// The workspace's saved column mappings, by name.
#[utoipa::path(tag = "imports", responses((status = 200, description = "The saved mappings", body = SavedMappingList)))]
#[get("/import-mappings")]
pub async fn list_import_mappings(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<SavedMappingList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::saved_mappings(&mut conn, auth.workspace()).await?))
}

/// Save a column mapping under a name, to start later imports from.
#[utoipa::path(
    tag = "imports",
    request_body = NewSavedMapping,
    responses(
        (status = 201, description = "The saved mapping", body = SavedMapping),
        (status = 409, description = "A mapping of that name exists", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/import-mappings")]
pub async fn create_import_mapping(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<NewSavedMapping>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let saved = service::save_mapping(&mut conn, auth.workspace(), body.0, chrono::Utc::now()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/import-mappings"))
        .json(saved))
}

/// Delete a saved mapping.
#[utoipa::path(
    tag = "imports",
    params(("id" = Uuid, Path, description = "The saved mapping's id")),
    responses((status = 204, description = "Deleted")),
)]
#[delete("/import-mappings/{id}")]
pub async fn delete_import_mapping(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::delete_mapping(&mut conn, auth.workspace(), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
