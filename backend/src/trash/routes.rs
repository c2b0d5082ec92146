//! `GET /api/v1/trash` and `POST /api/v1/trash/purge`.

use actix_web::{get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{PurgeResult, PurgeTrash, TrashPage, TrashType};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::params::{self, ParamErrors};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrashParams {
    /// Kinds of records, comma-separated: `contact`, `company`, `deal` (default: all).
    #[serde(rename = "type")]
    #[param(rename = "type", example = "contact,deal")]
    pub kind: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// Contacts, companies and deals in the trash, most recently trashed first, each with when it
/// will be deleted for good (30 days after it was trashed). Restore one with its own
/// `POST /api/v1/{contacts|companies|deals}/{id}/restore`.
#[utoipa::path(
    tag = "trash",
    params(TrashParams),
    responses((status = 200, description = "A page of the trash", body = TrashPage)),
)]
#[get("/trash")]
pub async fn list_trash(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<TrashParams>,
) -> AppResult<web::Json<TrashPage>> {
    let mut errors = ParamErrors::default();
    let limit = errors
        .take(params::limit(query.limit.as_deref()))
        .unwrap_or(params::DEFAULT_LIMIT);
    let mut kinds = Vec::new();
    for name in params::list(query.kind.as_deref()) {
        match name.parse::<TrashType>() {
            Ok(k) if !kinds.contains(&k) => kinds.push(k),
            Ok(_) => {}
            Err(why) => errors.push("type", format!("{name}: {why}")),
        }
    }
    let after = errors
        .take(params::own_cursor(query.cursor.as_deref(), service::after))
        .flatten();
    errors.finish()?;
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::list(&mut conn, auth.workspace(), &kinds, after, limit).await?,
    ))
}

/// Delete records in the trash for good, now (owners and admins). What hangs under them goes
/// with them (a contact's interactions, reminders and conversations; a deal's stage history and
/// proposals), except money: payments are kept without their contact or deal, accepted
/// proposals without their deal. Every id must be a record of that type in the trash.
#[utoipa::path(
    tag = "trash",
    request_body = PurgeTrash,
    responses((status = 200, description = "Deleted for good", body = PurgeResult)),
)]
#[post("/trash/purge")]
pub async fn purge_trash(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<PurgeTrash>,
) -> AppResult<web::Json<PurgeResult>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::purge(&mut conn, auth.workspace(), body.0, chrono::Utc::now()).await?,
    ))
}
