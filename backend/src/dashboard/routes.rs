//! HTTP endpoint for the dashboard.

use actix_web::{HttpResponse, get, put, web};

use super::dto::{Dashboard, DashboardLayout, DashboardParams};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::state::AppState;

/// The dashboard: pipeline value by stage, weighted forecast by month, stalled deals, win rate and
/// time to win, stage conversion, revenue, new leads, due follow-ups and recent activity. Reused
/// while nothing in the workspace changed (at most 30 s). `owner=me` narrows it to the caller's
/// work; `period` (or `from` and `to` with `period=custom`) sets the span of the revenue by month
/// and by source and of the win rate.
#[utoipa::path(tag = "dashboard", params(crate::http::replica::ReadAfterParams, DashboardParams),
    responses((status = 200, description = "The dashboard", body = Dashboard)))]
#[get("/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    params: web::Query<DashboardParams>,
) -> AppResult<HttpResponse> {
    // Reused per caller when filtered by owner, since `me` is the caller.
    let me = auth.user_id();
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let currency = text(&params.currency);
    // As given: `to=` is refused while no `to` is the default, so they must not share an answer.
    let span = format!("{:?}:{:?}:{:?}", params.period, params.from, params.to);
    let key = match params.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(owner) => format!("dashboard:{currency}:{span}:{me}:{owner}"),
        None => format!("dashboard:{currency}:{span}"),
    };
    crate::db::fresh::respond_read(&state, auth.workspace(), read_after, &key, async |conn, workspace| {
        service::get(conn, workspace, &params, me).await
    })
    .await
}

/// Your dashboard's arrangement in this workspace: the cards in order, shown or hidden, and the
/// period of its revenue and win rate.
#[utoipa::path(tag = "dashboard", responses((status = 200, description = "Your layout", body = DashboardLayout)))]
#[get("/me/dashboard-layout")]
pub async fn get_dashboard_layout(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<DashboardLayout>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::layout(&mut conn, auth.workspace(), auth.user_id()).await?,
    ))
}

/// Arrange your dashboard: order the cards, hide some, pick the period. Cards left out come
/// last, shown. Read-only members arrange theirs too.
#[utoipa::path(tag = "dashboard", request_body = DashboardLayout,
    responses((status = 200, description = "Your layout, completed", body = DashboardLayout)))]
#[put("/me/dashboard-layout")]
pub async fn put_dashboard_layout(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<DashboardLayout>,
) -> AppResult<web::Json<DashboardLayout>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::set_layout(&mut conn, auth.workspace(), auth.user_id(), body.0).await?,
    ))
}
