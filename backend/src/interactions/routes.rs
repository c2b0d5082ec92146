//! HTTP endpoints for interactions and contacts' timelines.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{CreateInteraction, Interaction, InteractionPage, ListInteractionsParams, UpdateInteraction};
use super::service::{self, TimelineQuery};
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::params::{IncludeTrashed, IncludeTrashedParams};
use crate::http::precondition::{etag, expected_version, if_match, stale_status};
use crate::state::AppState;

fn with_etag(mut res: HttpResponse, version: i32) -> HttpResponse {
    if let Ok(v) = header::HeaderValue::from_str(&etag(version).to_string()) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// A contact's timeline, newest first, optionally only some kinds.
#[utoipa::path(
    tag = "interactions",
    params(("id" = Uuid, Path, description = "The contact's id"), ListInteractionsParams, IncludeTrashedParams),
    responses((status = 200, description = "A page of the timeline", body = InteractionPage)),
)]
#[get("/contacts/{id}/timeline")]
pub async fn get_contact_timeline(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    params: web::Query<ListInteractionsParams>,
    include_trashed: IncludeTrashed,
) -> AppResult<web::Json<InteractionPage>> {
    let q = TimelineQuery::parse(
        params.limit.as_deref(),
        params.cursor.as_deref(),
        params.kind.as_deref(),
    )?;
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::timeline(&mut conn, auth.workspace(), *id, &q, include_trashed.0).await?,
    ))
}

/// Log an interaction. The contact's last interaction and next follow-up move with it.
#[utoipa::path(
    tag = "interactions",
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string identifying this creation")),
    request_body = CreateInteraction,
    responses((status = 201, description = "The interaction was logged", body = Interaction,
        headers(("Location" = String, description = "URL of the interaction")))),
)]
#[post("/interactions")]
pub async fn create_interaction(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateInteraction>,
) -> AppResult<HttpResponse> {
    idempotency::create(
        &state,
        &req,
        body.0,
        "/api/v1/interactions",
        |conn, workspace, input| Box::pin(service::create(conn, workspace, input)),
    )
    .await
}

/// Get one interaction.
#[utoipa::path(
    tag = "interactions",
    params(("id" = Uuid, Path, description = "The interaction's id")),
    responses((status = 200, description = "The interaction", body = Interaction)),
)]
#[get("/interactions/{id}")]
pub async fn get_interaction(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let i = service::get(&mut conn, auth.workspace(), *id).await?;
    Ok(with_etag(HttpResponse::Ok().json(&i), i.version))
}

/// Change an interaction; the contact's follow-up is rescheduled if its date moved.
#[utoipa::path(
    tag = "interactions",
    params(
        ("id" = Uuid, Path, description = "The interaction's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag"),
    ),
    request_body = UpdateInteraction,
    responses((status = 200, description = "The updated interaction", body = Interaction)),
)]
#[patch("/interactions/{id}")]
pub async fn update_interaction(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateInteraction>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    let i = service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?;
    Ok(with_etag(HttpResponse::Ok().json(&i), i.version))
}

/// Delete an interaction; the contact's last interaction and follow-up are recomputed.
#[utoipa::path(
    tag = "interactions",
    params(
        ("id" = Uuid, Path, description = "The interaction's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag"),
    ),
    responses((status = 204, description = "The interaction is gone")),
)]
#[delete("/interactions/{id}")]
pub async fn delete_interaction(
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
