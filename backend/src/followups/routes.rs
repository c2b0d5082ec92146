//! `GET /api/v1/follow-ups`.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::service::{self, FollowUpPage, ListFollowUpsParams};
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::state::AppState;

/// Contacts due for a follow-up, most overdue first, with counts per window and why each is due.
/// Days follow the workspace's time zone setting.
#[utoipa::path(
    tag = "follow-ups",
    params(crate::http::replica::ReadAfterParams, ListFollowUpsParams),
    responses((status = 200, description = "Follow-ups in the window", body = FollowUpPage)),
)]
#[get("/follow-ups")]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    req: HttpRequest,
    params: web::Query<ListFollowUpsParams>,
) -> AppResult<HttpResponse> {
    // Counted over every due contact: reused while the workspace's data is unchanged (per caller
    // when the list is filtered by owner, since `me` is the caller).
    let me = auth.user_id();
    let key = match params.owner {
        Some(_) => format!("follow-ups:{me}:{}", req.query_string()),
        None => format!("follow-ups:{}", req.query_string()),
    };
    crate::db::fresh::respond_read(&state, auth.workspace(), read_after, &key, async |conn, workspace| {
        service::list(conn, workspace, &params, me).await
    })
    .await
}
