//! `GET /api/v1/contacts/{id}/export`: a person's data on request.

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use super::dto::{EraseContact, Erasure, PersonalData};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::params::{IncludeTrashed, IncludeTrashedParams};
use crate::state::AppState;

/// Everything the workspace holds about one person — the contact, every interaction, deal,
/// reminder, payment and proposal, the assistant's conversations about them and the record's
/// history — as one JSON document (an attachment), for a data access request. A person in the
/// trash is exported with `include_trashed=true`.
#[utoipa::path(
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id"), IncludeTrashedParams),
    responses((status = 200, description = "The person's data", body = PersonalData,
        headers(("Content-Disposition" = String, description = "attachment; filename=\"ada-lovelace-2026-12-02.json\"")))),
)]
#[get("/contacts/{id}/export")]
pub async fn export_contact_data(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    include_trashed: IncludeTrashed,
) -> AppResult<HttpResponse> {
    let data = service::export(&state, auth.workspace(), auth.user_id(), *id, include_trashed.0).await?;
    let slug: String = data
        .contact
        .display_name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let name = format!(
        "{}-{}.json",
        if slug.is_empty() { "contact" } else { &slug },
        data.exported_at.format("%Y-%m-%d")
    );
    Ok(HttpResponse::Ok()
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .json(&data))
}

/// Erase a person on request (GDPR/CCPA right to erasure): the contact, their interactions,
/// reminders and assistant conversations, the assistant's stored answers about them and their
/// mentions in the history (rewritten to "Erased on request") are removed for good; payments and
/// deals are kept for the books, without the person. Admins only; the body repeats the person's
/// name to confirm. Backups taken before keep the person until they age out.
#[utoipa::path(
    tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id (in the trash or not)")),
    request_body = EraseContact,
    responses((status = 200, description = "What was removed and kept", body = Erasure)),
)]
#[post("/contacts/{id}/erase")]
pub async fn erase_contact(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: ApiJson<EraseContact>,
) -> AppResult<web::Json<Erasure>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::erase(&mut conn, auth.workspace(), *id, &body.0.confirm_name).await?,
    ))
}
