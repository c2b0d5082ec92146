//! HTTP endpoint for the dashboard.

use actix_web::{HttpResponse, get, web};

use super::dto::{Dashboard, DashboardParams};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::state::AppState;

/// The dashboard: pipeline value by stage, weighted forecast by month, stalled deals, win rate and
/// time to win, stage conversion, revenue, new leads, due follow-ups and recent activity. Reused
/// while nothing in the workspace changed (at most 30 s). `owner=me` narrows it to the caller's
/// work.
#[utoipa::path(tag = "dashboard", params(DashboardParams),
    responses((status = 200, description = "The dashboard", body = Dashboard)))]
#[get("/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<DashboardParams>,
) -> AppResult<HttpResponse> {
    // Reused per caller when filtered by owner, since `me` is the caller.
    let me = auth.user_id();
    let currency = params.currency.as_deref().unwrap_or("").trim();
    let key = match params.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        Some(owner) => format!("dashboard:{currency}:{me}:{owner}"),
        None => format!("dashboard:{currency}"),
    };
    crate::db::fresh::respond(&state, auth.workspace(), &key, async |conn, workspace| {
        service::get(conn, workspace, &params, me).await
    })
    .await
}
