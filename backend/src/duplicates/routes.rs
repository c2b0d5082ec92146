//! `GET /api/v1/duplicates` and `POST /api/v1/duplicates/dismiss`.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{DismissDuplicate, DuplicateList, DuplicateType};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::params::{self, ParamErrors};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicatesParams {
    /// `contact` (default) or `company`.
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<DuplicateType>)]
    pub kind: Option<String>,
    /// Pairs to return, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// Records that look like the same person or company, best candidates first, each pair with a
/// score and its reasons. Pairs dismissed as "not a duplicate" are left out.
#[utoipa::path(
    tag = "duplicates",
    params(DuplicatesParams),
    responses((status = 200, description = "Candidate pairs", body = DuplicateList)),
)]
#[get("/duplicates")]
pub async fn list_duplicates(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<DuplicatesParams>,
) -> AppResult<web::Json<DuplicateList>> {
    let mut errors = ParamErrors::default();
    let limit = errors
        .take(params::limit(query.limit.as_deref()))
        .unwrap_or(params::DEFAULT_LIMIT);
    let kind = match query.kind.as_deref().map(str::trim) {
        None | Some("") | Some("contact") => DuplicateType::Contact,
        Some("company") => DuplicateType::Company,
        Some(_) => {
            errors.push("type", "must be contact or company");
            DuplicateType::Contact
        }
    };
    let after = errors
        .take(params::own_cursor(query.cursor.as_deref(), service::after))
        .flatten();
    errors.finish()?;
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::list(&mut conn, auth.workspace(), kind, after, limit).await?,
    ))
}

/// Say that two records are not duplicates: the pair is not proposed again.
#[utoipa::path(
    tag = "duplicates",
    request_body = DismissDuplicate,
    responses((status = 204, description = "Dismissed")),
)]
#[post("/duplicates/dismiss")]
pub async fn dismiss_duplicate(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<DismissDuplicate>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::dismiss(&mut conn, auth.workspace(), body.0, chrono::Utc::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
