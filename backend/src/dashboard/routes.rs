//! HTTP endpoint for the dashboard.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use super::dto::{Dashboard, DashboardParams};
use super::service;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The dashboard: pipeline value by stage, weighted forecast by month, stalled deals, win rate and
/// time to win, stage conversion, revenue, new leads, due follow-ups and recent activity. Reused
/// while nothing in the workspace changed (at most 30 s).
#[utoipa::path(tag = "dashboard", params(DashboardParams),
    responses((status = 200, description = "The dashboard", body = Dashboard)))]
#[get("/dashboard")]
pub async fn get_dashboard(state: web::Data<AppState>, params: web::Query<DashboardParams>) -> AppResult<HttpResponse> {
    let workspace = state.workspace_id();
    let mut conn = state.conn().await?;
    let stamp = crate::db::fresh::stamp(&mut conn, workspace).await?;
    let key = format!("{workspace}:{}", params.currency.as_deref().unwrap_or("").trim());
    let body = match state.dashboards.get(&key, stamp) {
        Some(body) => body,
        None => {
            let dashboard: Dashboard = service::get(&mut conn, workspace, &params).await?;
            let body = web::Bytes::from(serde_json::to_vec(&dashboard).map_err(AppError::internal)?);
            state.dashboards.put(key, stamp, body.clone());
            body
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(body))
}
