//! HTTP endpoints for saved views under `/api/v1/views`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{CreateView, SavedView, SavedViewList, UpdateView, ViewKind};
use super::service::{self, Viewer};
use crate::error::{AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::params::ParamErrors;
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

fn viewer(auth: &Auth) -> Viewer {
    Viewer {
        user: auth.user_id(),
        role: auth.role(),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListViewsParams {
    /// Only views of this list.
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<ViewKind>)]
    pub kind: Option<String>,
}

/// The saved views you can see (shared ones and your own), by name, each with how many records
/// it matches now.
#[utoipa::path(
    tag = "views",
    params(ListViewsParams),
    responses((status = 200, description = "The views", body = SavedViewList)),
)]
#[get("/views")]
pub async fn list_views(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ListViewsParams>,
) -> AppResult<web::Json<SavedViewList>> {
    let mut errors = ParamErrors::default();
    let kind = match query.kind.as_deref().map(str::trim) {
        Some(k) => errors.take(
            k.parse::<ViewKind>()
                .map_err(|m| crate::error::FieldError::new("type", m)),
        ),
        None => None,
    };
    errors.finish()?;
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::list(&mut conn, auth.workspace(), kind, viewer(&auth)).await?,
    ))
}

/// Save a view: a name, the list's query string (filters and sort, checked as the list checks
/// them), columns, and whether the whole workspace sees it.
#[utoipa::path(
    tag = "views",
    request_body = CreateView,
    responses(
        (status = 201, description = "The view", body = SavedView,
            headers(("Location" = String, description = "URL of the view"))),
        (status = 409, description = "You have 100 views here already (`too_many_views`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[post("/views")]
pub async fn create_view(state: web::Data<AppState>, auth: Auth, body: ApiJson<CreateView>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let view = service::create(&mut conn, auth.workspace(), body.0, viewer(&auth)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/views/{}", view.id)))
        .json(view))
}

/// One view, with its count — or, when its filters stopped working (a custom field deleted
/// since), a `notice` instead.
#[utoipa::path(
    tag = "views",
    params(("id" = Uuid, Path, description = "The view's id")),
    responses((status = 200, description = "The view", body = SavedView)),
)]
#[get("/views/{id}")]
pub async fn get_view(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let view = service::get(&mut conn, auth.workspace(), *id, viewer(&auth)).await?;
    Ok(ok(&view))
}

/// Change a view (its owner; an admin for a shared one).
#[utoipa::path(
    tag = "views",
    params(("id" = Uuid, Path, description = "The view's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateView,
    responses((status = 200, description = "The view", body = SavedView)),
)]
#[patch("/views/{id}")]
pub async fn update_view(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateView>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    let view = service::update(&mut conn, auth.workspace(), *id, body.0, expected, viewer(&auth))
        .await
        .map_err(stale_status(&req))?;
    Ok(ok(&view))
}

/// Delete a view (its owner; an admin for a shared one). The records it showed are untouched.
#[utoipa::path(
    tag = "views",
    params(("id" = Uuid, Path, description = "The view's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The view is gone")),
)]
#[delete("/views/{id}")]
pub async fn delete_view(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    service::delete(&mut conn, auth.workspace(), *id, expected, viewer(&auth)).await?;
    Ok(HttpResponse::NoContent().finish())
}
