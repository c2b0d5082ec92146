//! `/api/v1/onboarding` (the first-run checklist) and `/api/v1/demo-data`.

use super::dto::{DemoCounts, DismissOnboarding, Onboarding};
use super::service;
use crate::error::{AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::Utc;

/// Your first-run checklist in this workspace: each step ticks itself once done (an import
/// committed, the cadences changed, a calendar subscribed, a stage added, a colleague invited,
/// the assistant asked), whether you put it away, and whether demo data is in or can be loaded.
#[utoipa::path(tag = "onboarding", responses((status = 200, description = "The checklist", body = Onboarding)))]
#[get("/onboarding")]
pub async fn get_onboarding(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<Onboarding>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::get(&mut conn, auth.workspace(), auth.user_id()).await?,
    ))
}

/// Put your checklist away (`dismissed: true`) or bring it back; for you only.
#[utoipa::path(
    tag = "onboarding",
    request_body = DismissOnboarding,
    responses((status = 200, description = "The checklist", body = Onboarding)),
)]
#[post("/onboarding/dismiss")]
pub async fn dismiss_onboarding(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<DismissOnboarding>,
) -> AppResult<web::Json<Onboarding>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::dismiss(
            &mut conn,
            auth.workspace(),
            auth.user_id(),
            body.0.dismissed,
            Utc::now(),
        )
        .await?,
    ))
}

/// Load a small freelance practice's demo data (contacts with timelines, companies, deals,
/// products, proposals, payments) into a workspace that has no records yet. Admins.
#[utoipa::path(
    tag = "onboarding",
    responses(
        (status = 201, description = "Demo records added, by kind", body = DemoCounts),
        (status = 409, description = "The workspace has records already (`workspace_not_empty`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[post("/demo-data")]
pub async fn load_demo_data(state: web::Data<AppState>, auth: Auth) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let counts = service::load_demo(&mut conn, auth.workspace()).await?;
    Ok(HttpResponse::Created().json(counts))
}

/// Remove the demo data: exactly the records "Load demo data" added, with their timelines and
/// history, deleted for good; what people added stays. Admins.
#[utoipa::path(
    tag = "onboarding",
    responses(
        (status = 200, description = "Demo records removed, by kind", body = DemoCounts),
        (status = 409, description = "There is no demo data (`no_demo_data`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[delete("/demo-data")]
pub async fn remove_demo_data(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<DemoCounts>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::remove_demo(&mut conn, auth.workspace()).await?))
}
