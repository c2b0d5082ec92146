//! The calendar feed's endpoints: its link (make, replace, turn off) and the feed itself.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};

use super::service::{self, CalendarFeed, CalendarFeedLink};
use crate::error::{AppResult, Problem};
use crate::http::auth::Auth;
use crate::state::AppState;

/// Whether you have a calendar feed in this workspace, and since when.
#[utoipa::path(tag = "calendar", responses((status = 200, description = "The feed's state", body = CalendarFeed)))]
#[get("/calendar")]
pub async fn get_calendar_feed(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<CalendarFeed>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::status(&mut conn, auth.workspace(), auth.user_id()).await?,
    ))
}

/// Make your private feed link: your follow-ups, reminders and deals' close dates in this
/// workspace (and the ones nobody owns). Any previous link of yours stops working, and the link
/// ends when you leave the workspace. It is shown only in this response.
#[utoipa::path(tag = "calendar", responses((status = 201, description = "The new feed link", body = CalendarFeedLink)))]
#[post("/calendar/link")]
pub async fn rotate_calendar_link(state: web::Data<AppState>, auth: Auth) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (token, created_at) = service::rotate(&mut conn, auth.workspace(), auth.user_id()).await?;
    let url = format!("{}/api/v1/calendar/{token}.ics", state.config.accounts.base());
    Ok(HttpResponse::Created().json(CalendarFeedLink { url, created_at }))
}

/// Turn your calendar feed off; its link stops working.
#[utoipa::path(tag = "calendar", responses((status = 204, description = "The feed is off")))]
#[delete("/calendar/link")]
pub async fn delete_calendar_link(state: web::Data<AppState>, auth: Auth) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::disable(&mut conn, auth.workspace(), auth.user_id()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The iCalendar feed (RFC 5545) of follow-ups and open reminders, for calendar apps to subscribe to.
#[utoipa::path(tag = "calendar",
    params(("token" = String, Path, description = "The secret part of the feed link")),
    responses(
        (status = 200, description = "The feed", content_type = "text/calendar", body = String),
        (status = 404, description = "No feed has this link", body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/calendar/{token}.ics")]
pub async fn get_calendar_ics(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let body = service::feed(&mut conn, &token, &state.config.accounts.base()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(body))
}
