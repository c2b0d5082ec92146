//! `POST /api/v1/contacts/merge`, `POST /api/v1/companies/merge` and
//! `POST /api/v1/merges/{id}/undo`.

use actix_web::{post, web};
use uuid::Uuid;

use super::dto::{CompanyMerge, ContactMerge, MergeRequest, MergeUndo};
use super::service;
use crate::error::{AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::state::AppState;

/// Merge two contacts into one (or, with `dry_run`, see what the merge would give).
///
/// The survivor takes, per field, the value chosen in `fields` — by default its own unless that
/// is empty, with emails, phones, tags, notes and custom fields of both combined. The merged
/// contact's interactions, reminders, deals, payments and AI conversations move to the survivor;
/// the merged contact then resolves to the survivor (`GET` answers `308 Permanent Redirect`,
/// changes answer 409 `merged`). Both histories record it, and it can be undone for 30 days at
/// `POST /api/v1/merges/{merge_id}/undo`.
#[utoipa::path(
    tag = "duplicates",
    request_body = MergeRequest,
    responses(
        (status = 200, description = "The merged contact (made, or only shown for a dry run)", body = ContactMerge),
        (status = 409, description = "A contact was already merged into another (`merged`, naming it in `survivor_id`)",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/contacts/merge")]
pub async fn merge_contacts(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<MergeRequest>,
) -> AppResult<web::Json<ContactMerge>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::merge_contacts(&mut conn, auth.workspace(), body.0, chrono::Utc::now()).await?,
    ))
}

/// Merge two companies into one (or, with `dry_run`, see what the merge would give).
///
/// As for contacts: the survivor takes the chosen value of each field, the merged company's
/// contacts and deals move to it, the merged company resolves to the survivor, and the merge can
/// be undone for 30 days.
#[utoipa::path(
    tag = "duplicates",
    request_body = MergeRequest,
    responses(
        (status = 200, description = "The merged company (made, or only shown for a dry run)", body = CompanyMerge),
        (status = 409, description = "A company was already merged into another (`merged`, naming it in `survivor_id`), \
            or the chosen name is taken (`already_exists`)",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/companies/merge")]
pub async fn merge_companies(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<MergeRequest>,
) -> AppResult<web::Json<CompanyMerge>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::merge_companies(&mut conn, auth.workspace(), body.0, chrono::Utc::now()).await?,
    ))
}

/// Undo a merge, within 30 days: the merged record comes back with what it had (records added
/// to the survivor since stay there), and the survivor's fields go back to their values before
/// the merge, except those changed since (listed in `kept`).
#[utoipa::path(
    tag = "duplicates",
    params(("id" = Uuid, Path, description = "The merge's id (`merge_id` of the merge, or of its history entry)")),
    responses(
        (status = 200, description = "The merge was undone", body = MergeUndo),
        (status = 409, description = "Already undone (`already_undone`), older than 30 days (`undo_expired`), the \
            survivor was merged into another record since (`survivor_merged`: undo that first), or a record \
            of it is gone (`merged_record_gone`)",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/merges/{id}/undo")]
pub async fn undo_merge(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<MergeUndo>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::undo(&mut conn, auth.workspace(), *id, chrono::Utc::now()).await?,
    ))
}
