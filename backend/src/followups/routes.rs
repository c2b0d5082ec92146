//! `GET /api/v1/follow-ups`.

use actix_web::{get, web};

use super::service::{self, FollowUpPage, ListFollowUpsParams};
use crate::error::AppResult;
use crate::state::AppState;

/// Contacts due for a follow-up, most overdue first, with counts per window and why each is due.
/// Days follow the workspace's time zone setting.
#[utoipa::path(
    tag = "follow-ups",
    params(ListFollowUpsParams),
    responses((status = 200, description = "Follow-ups in the window", body = FollowUpPage)),
)]
#[get("/follow-ups")]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    params: web::Query<ListFollowUpsParams>,
) -> AppResult<web::Json<FollowUpPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::list(&mut conn, state.workspace_id(), &params).await?,
    ))
}
