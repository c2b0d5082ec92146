//! `GET /api/v1/activity` and the per-record histories.

use actix_web::{get, web};
use uuid::Uuid;

use super::service::{self, ActivityPage, ListActivityParams, Scope};
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::params::{IncludeTrashed, IncludeTrashedParams};
use crate::state::AppState;

/// What changed in the workspace, newest first.
#[utoipa::path(tag = "activity", params(ListActivityParams),
    responses((status = 200, description = "A page of the activity feed", body = ActivityPage)))]
#[get("/activity")]
pub async fn list_activity(
    state: web::Data<AppState>,
    auth: Auth,
    p: web::Query<ListActivityParams>,
) -> AppResult<web::Json<ActivityPage>> {
    let scope = Scope::Workspace(service::entity_filter(p.entity.as_deref())?);
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::list(
            &mut conn,
            auth.workspace(),
            scope,
            p.limit.as_deref(),
            p.cursor.as_deref(),
        )
        .await?,
    ))
}

/// A contact's history: changes to it, its interactions and its reminders, newest first.
#[utoipa::path(tag = "activity",
    params(("id" = Uuid, Path, description = "The contact's id"), ListActivityParams, IncludeTrashedParams),
    responses((status = 200, description = "The contact's history", body = ActivityPage)))]
#[get("/contacts/{id}/history")]
pub async fn get_contact_history(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    p: web::Query<ListActivityParams>,
    include_trashed: IncludeTrashed,
) -> AppResult<web::Json<ActivityPage>> {
    let mut conn = state.conn().await?;
    crate::contacts::service::require(&mut conn, auth.workspace(), *id, !include_trashed.0).await?;
    let page = service::list(
        &mut conn,
        auth.workspace(),
        Scope::Contact(*id),
        p.limit.as_deref(),
        p.cursor.as_deref(),
    )
    .await?;
    Ok(web::Json(page))
}

/// A company's history, newest first.
#[utoipa::path(tag = "activity",
    params(("id" = Uuid, Path, description = "The company's id"), ListActivityParams, IncludeTrashedParams),
    responses((status = 200, description = "The company's history", body = ActivityPage)))]
#[get("/companies/{id}/history")]
pub async fn get_company_history(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    p: web::Query<ListActivityParams>,
    include_trashed: IncludeTrashed,
) -> AppResult<web::Json<ActivityPage>> {
    let mut conn = state.conn().await?;
    crate::companies::service::get(&mut conn, auth.workspace(), *id, include_trashed.0).await?;
    let page = service::list(
        &mut conn,
        auth.workspace(),
        Scope::Record(*id),
        p.limit.as_deref(),
        p.cursor.as_deref(),
    )
    .await?;
    Ok(web::Json(page))
}
