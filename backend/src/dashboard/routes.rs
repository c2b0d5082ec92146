//! HTTP endpoint for the dashboard.

use actix_web::{HttpResponse, get, web};

use super::dto::{Dashboard, DashboardParams};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::state::AppState;

/// The dashboard: pipeline value by stage, weighted forecast by month, stalled deals, win rate and
/// time to win, stage conversion, revenue, new leads, due follow-ups and recent activity. Reused
/// while nothing in the workspace changed (at most 30 s).
#[utoipa::path(tag = "dashboard", params(DashboardParams),
    responses((status = 200, description = "The dashboard", body = Dashboard)))]
#[get("/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<DashboardParams>,
) -> AppResult<HttpResponse> {
    let key = format!("dashboard:{}", params.currency.as_deref().unwrap_or("").trim());
    crate::db::fresh::respond(&state, auth.workspace(), &key, async |conn, workspace| {
        service::get(conn, workspace, &params).await
    })
    .await
}
