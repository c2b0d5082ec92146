//! `POST /api/v1/{contacts|companies|deals}/bulk` and `POST /api/v1/bulk/{id}/undo`.

use actix_web::{post, web};
use uuid::Uuid;

use super::dto::{BODY_LIMIT, BulkKind, BulkRequest, BulkResult, BulkUndo};
use super::service;
use crate::error::{AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::json::LargeJson;
use crate::state::AppState;

type Body = LargeJson<BulkRequest, BODY_LIMIT>;

async fn run(state: &AppState, auth: &Auth, kind: BulkKind, body: Body) -> AppResult<web::Json<BulkResult>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::apply(
            &mut conn,
            auth.workspace(),
            kind,
            body.0,
            crate::views::service::Viewer {
                user: auth.user_id(),
                role: auth.role(),
            },
            chrono::Utc::now(),
        )
        .await?,
    ))
}

/// Change many contacts at once: add or remove tags, set the stage of life, the owner or a
/// custom field, move to the trash or restore — for up to 10,000 contacts named by `ids` or
/// matched by `filter` (the list's query string), in one transaction. The answer says what
/// happened to each; the batch is recorded in the history (one entry per contact plus one for
/// the batch) and can be undone for 30 days at `POST /api/v1/bulk/{batch_id}/undo`. The body may
/// be up to 1 MiB.
#[utoipa::path(
    tag = "bulk",
    request_body = BulkRequest,
    responses((status = 200, description = "What happened to each contact", body = BulkResult)),
)]
#[post("/contacts/bulk")]
pub async fn bulk_contacts(state: web::Data<AppState>, auth: Auth, body: Body) -> AppResult<web::Json<BulkResult>> {
    run(&state, &auth, BulkKind::Contact, body).await
}

/// Change many companies at once: set a custom field, move to the trash or restore (as for
/// contacts).
#[utoipa::path(
    tag = "bulk",
    request_body = BulkRequest,
    responses((status = 200, description = "What happened to each company", body = BulkResult)),
)]
#[post("/companies/bulk")]
pub async fn bulk_companies(state: web::Data<AppState>, auth: Auth, body: Body) -> AppResult<web::Json<BulkResult>> {
    run(&state, &auth, BulkKind::Company, body).await
}

/// Change many deals at once, named by `ids`: set the owner or a custom field, move to the trash
/// or restore (as for contacts).
#[utoipa::path(
    tag = "bulk",
    request_body = BulkRequest,
    responses((status = 200, description = "What happened to each deal", body = BulkResult)),
)]
#[post("/deals/bulk")]
pub async fn bulk_deals(state: web::Data<AppState>, auth: Auth, body: Body) -> AppResult<web::Json<BulkResult>> {
    run(&state, &auth, BulkKind::Deal, body).await
}

/// Undo a bulk change, within 30 days: each record goes back to what it was before it, except
/// records changed since (counted in `kept`, left as they are).
#[utoipa::path(
    tag = "bulk",
    params(("id" = Uuid, Path, description = "The batch's id (`batch_id` of the bulk change)")),
    responses(
        (status = 200, description = "The batch was undone", body = BulkUndo),
        (status = 409, description = "Already undone (`already_undone`) or older than 30 days (`undo_expired`)",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/bulk/{id}/undo")]
pub async fn undo_bulk(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<web::Json<BulkUndo>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::undo(&mut conn, auth.workspace(), *id, chrono::Utc::now()).await?,
    ))
}
