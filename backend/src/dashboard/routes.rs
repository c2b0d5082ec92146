//! HTTP endpoint for the dashboard.

use actix_web::{get, web};

use super::dto::{Dashboard, DashboardParams};
use super::service;
use crate::error::AppResult;
use crate::state::AppState;

/// The dashboard: pipeline value by stage, weighted forecast by month, stalled deals, win rate and
/// time to win, stage conversion, revenue, new leads, due follow-ups and recent activity.
#[utoipa::path(tag = "dashboard", params(DashboardParams),
    responses((status = 200, description = "The dashboard", body = Dashboard)))]
#[get("/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    params: web::Query<DashboardParams>,
) -> AppResult<web::Json<Dashboard>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::get(&mut conn, state.workspace_id(), &params).await?))
}
