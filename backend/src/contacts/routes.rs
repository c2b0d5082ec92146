//! HTTP endpoints for contacts under `/api/v1/contacts`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{Contact, ContactPage, CreateContact, TagList, UpdateContact};
use super::query::{ContactQuery, ExportContactsParams, ListContactsParams};
use super::service;
use crate::error::{AppError, AppResult, Problem};
use crate::exports::{self, ContactFormatParams};
use crate::http::auth::Auth;
use crate::http::download;
use crate::http::fields::{FieldSet, together};
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::params::{IncludeTrashed, IncludeTrashedParams};
use crate::http::precondition::{etag, expected_version, if_match, stale_status};
use crate::state::AppState;

fn with_etag(mut res: HttpResponse, contact: &Contact) -> HttpResponse {
    if let Ok(v) = header::HeaderValue::from_str(&etag(contact.version).to_string()) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// List contacts: search, filter, sort, and page through them with a cursor. With `fields`, each
/// contact has only those fields.
#[utoipa::path(
    tag = "contacts",
    params(crate::http::replica::ReadAfterParams, ListContactsParams),
    responses((status = 200, description = "A page of contacts", body = ContactPage)),
)]
#[get("/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    params: web::Query<ListContactsParams>,
) -> AppResult<HttpResponse> {
    let (query, fields) = together(
        ContactQuery::from_params(&params, auth.user_id()),
        FieldSet::parse(params.fields.as_deref(), Contact::FIELDS),
    )?;
    let mut conn = state.read_conn(auth.workspace(), read_after.0).await?;
    let page =
        service::list_with_custom_filter(&mut conn, auth.workspace(), query, params.custom_field.as_deref()).await?;
    drop(conn);
    Ok(crate::http::fields::page(
        &page.items,
        page.next_cursor.as_deref(),
        page.total,
        fields.as_ref(),
    ))
}

/// Every contact the list's filters match, as a CSV or Excel file (in the list's order, with
/// custom fields as `custom.<key>` columns; cells a spreadsheet would run as formulas are
/// written with a leading `'`), or as vCards 3.0 (`format=vcf`) for an address book.
#[utoipa::path(
    tag = "contacts",
    params(crate::http::replica::ReadAfterParams, ExportContactsParams, ContactFormatParams),
    responses((status = 200, description = "The file, as an attachment",
        content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/vcard"),
        ),
        headers(("Content-Disposition" = String, description = "attachment; filename=\"contacts-2026-12-02.csv\"")))),
)]
#[get("/contacts/export")]
pub async fn export_contacts(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    req: HttpRequest,
    params: web::Query<ExportContactsParams>,
    format: web::Query<ContactFormatParams>,
) -> AppResult<HttpResponse> {
    let list = params.as_list();
    let query = ContactQuery::from_params(&list, auth.user_id());
    let (mut query, format) = match (query, format.parse()) {
        (Ok(q), Ok(f)) => (q, f),
        (Ok(_), Err(e)) => return Err(AppError::validation(vec![e])),
        (Err(e), Ok(_)) => return Err(e),
        (Err(e), Err(more)) => return Err(e.and_invalid(more)),
    };
    let mut conn = state.read_conn(auth.workspace(), read_after.0).await?;
    service::resolve_custom_filter(&mut conn, auth.workspace(), &mut query, list.custom_field.as_deref()).await?;
    service::narrow(&mut conn, &mut query).await?;
    let name = exports::file_name("contacts", format, chrono::Utc::now());
    if format == exports::Format::Vcard {
        let source = VcardExport {
            conn,
            workspace: auth.workspace(),
            query,
        };
        return download::respond_chunks(exports::VCARD_TYPE, &name, source).await;
    }
    let plan = service::export_plan(&mut conn, auth.workspace()).await?;
    let header = plan.header.clone();
    let source = ContactExport {
        conn,
        workspace: auth.workspace(),
        query,
        plan,
    };
    download::respond(&req, format, &name, "Contacts", header, source).await
}

struct VcardExport {
    conn: crate::db::DbConn,
    workspace: crate::db::WorkspaceId,
    query: ContactQuery,
}

impl download::Chunks for VcardExport {
    async fn next_chunk(&mut self) -> AppResult<Option<String>> {
        service::export_vcard_page(&mut self.conn, self.workspace, &mut self.query).await
    }
}

struct ContactExport {
    conn: crate::db::DbConn,
    workspace: crate::db::WorkspaceId,
    query: ContactQuery,
    plan: service::ExportPlan,
}

impl download::Source for ContactExport {
    async fn next_page(&mut self) -> AppResult<Option<Vec<Vec<exports::Cell>>>> {
        service::export_page(&mut self.conn, self.workspace, &mut self.query, &self.plan).await
    }
}

/// Tags in use on contacts, most used first (for filters and autocompletion).
#[utoipa::path(tag = "contacts", responses((status = 200, description = "Tags with their contact counts", body = TagList)))]
#[get("/contacts/tags")]
pub async fn list_contact_tags(state: web::Data<AppState>, auth: Auth) -> AppResult<HttpResponse> {
    // Counted over every contact: reused while the workspace's data is unchanged.
    crate::db::fresh::respond(&state, auth.workspace(), "tags", service::tags).await
}

/// Create a contact. Naming a company links it, creating the company when it is new.
///
/// Send an `Idempotency-Key` to make retries safe: a repeat with the same key and body returns
/// the original response (with `Idempotent-Replayed: true`) instead of a second contact.
#[utoipa::path(
    tag = "contacts",
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Any unique string (e.g. a UUID) identifying this creation; kept for 24 hours")),
    request_body = CreateContact,
    responses(
        (status = 201, description = "The contact was created (or, for a repeated Idempotency-Key, had been)", body = Contact,
            headers(("Location" = String, description = "URL of the new contact"), ("ETag" = String, description = "The contact's version"))),
        (status = 409, description = "The Idempotency-Key was used for a different request", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[post("/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateContact>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/contacts", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one contact. One in the trash answers 404 `trashed` unless asked with `include_trashed=true`.
#[utoipa::path(
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id"), IncludeTrashedParams),
    responses(
        (status = 200, description = "The contact", body = Contact,
            headers(("ETag" = String, description = "The contact's version, for If-Match"))),
        (status = 308, description = "The contact was merged into another (`merged`): `Location` and `survivor_id` \
            name the one that stands for it now", body = Problem, content_type = "application/problem+json",
            headers(("Location" = String, description = "URL of the surviving contact"))),
    ),
)]
#[get("/contacts/{id}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    include_trashed: IncludeTrashed,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let contact = service::get(&mut conn, auth.workspace(), *id, include_trashed.0)
        .await
        .map_err(|e| e.redirect("/api/v1/contacts"))?;
    Ok(with_etag(HttpResponse::Ok().json(&contact), &contact))
}

/// Change some of a contact's fields. Send `If-Match` (or `version`) to refuse overwriting a newer edit.
#[utoipa::path(
    tag = "contacts",
    params(
        ("id" = Uuid, Path, description = "The contact's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag, e.g. \"1\""),
    ),
    request_body = UpdateContact,
    responses((status = 200, description = "The updated contact", body = Contact,
        headers(("ETag" = String, description = "The contact's new version")))),
)]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateContact>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    let contact = service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?;
    Ok(with_etag(HttpResponse::Ok().json(&contact), &contact))
}

/// Move a contact to the trash. It keeps its history and can be restored.
#[utoipa::path(
    tag = "contacts",
    params(
        ("id" = Uuid, Path, description = "The contact's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag"),
    ),
    responses((status = 204, description = "The contact is in the trash")),
)]
#[delete("/contacts/{id}")]
pub async fn delete_contact(
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

/// Bring a contact back from the trash.
#[utoipa::path(
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses((status = 200, description = "The restored contact", body = Contact)),
)]
#[post("/contacts/{id}/restore")]
pub async fn restore_contact(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    let contact = service::restore(&mut conn, auth.workspace(), *id, expected).await?;
    Ok(with_etag(HttpResponse::Ok().json(&contact), &contact))
}
