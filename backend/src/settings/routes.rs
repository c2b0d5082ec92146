//! `GET` and `PATCH /api/v1/settings`.

use actix_web::{get, patch, web};

use super::dto::{Settings, UpdateSettings};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::state::AppState;

/// The workspace's settings: follow-up cadences per lifecycle stage, overdue grace period, time zone.
#[utoipa::path(tag = "settings", responses((status = 200, description = "The settings", body = Settings)))]
#[get("/settings")]
pub async fn get_settings(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<Settings>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::get(&mut conn, auth.workspace()).await?))
}

/// Change some settings. New cadence defaults reschedule the contacts that follow them.
#[utoipa::path(
    tag = "settings",
    request_body = UpdateSettings,
    responses((status = 200, description = "The settings after the change", body = Settings)),
)]
#[patch("/settings")]
pub async fn update_settings(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<UpdateSettings>,
) -> AppResult<web::Json<Settings>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::update(&mut conn, auth.workspace(), body.0).await?))
}
