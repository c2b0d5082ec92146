//! HTTP endpoints for reminders under `/api/v1/reminders`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{CreateReminder, ListRemindersParams, Reminder, ReminderPage, SnoozeReminder, UpdateReminder};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

/// List reminders, soonest first: open (default), done or all, optionally one contact's.
#[utoipa::path(tag = "reminders", params(ListRemindersParams),
    responses((status = 200, description = "A page of reminders", body = ReminderPage)))]
#[get("/reminders")]
pub async fn list_reminders(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ListRemindersParams>,
) -> AppResult<web::Json<ReminderPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::list(&mut conn, auth.workspace(), &params, auth.user_id()).await?,
    ))
}

/// Create a reminder about a contact. An open reminder earlier than the contact's cadence brings its next follow-up forward.
#[utoipa::path(tag = "reminders",
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string identifying this creation")),
    request_body = CreateReminder,
    responses((status = 201, description = "The reminder was created", body = Reminder,
        headers(("Location" = String, description = "URL of the reminder")))))]
#[post("/reminders")]
pub async fn create_reminder(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateReminder>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/reminders", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one reminder.
#[utoipa::path(tag = "reminders", params(("id" = Uuid, Path, description = "The reminder's id")),
    responses((status = 200, description = "The reminder", body = Reminder)))]
#[get("/reminders/{id}")]
pub async fn get_reminder(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Change a reminder's title, notes or due time.
#[utoipa::path(tag = "reminders",
    params(("id" = Uuid, Path, description = "The reminder's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateReminder,
    responses((status = 200, description = "The updated reminder", body = Reminder)))]
#[patch("/reminders/{id}")]
pub async fn update_reminder(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateReminder>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    Ok(ok(&service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?))
}

/// Mark a reminder done (doing it again changes nothing).
#[utoipa::path(tag = "reminders", params(("id" = Uuid, Path, description = "The reminder's id")),
    responses((status = 200, description = "The completed reminder", body = Reminder)))]
#[post("/reminders/{id}/complete")]
pub async fn complete_reminder(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::complete(&mut conn, auth.workspace(), *id, true).await?))
}

/// Open a completed reminder again.
#[utoipa::path(tag = "reminders", params(("id" = Uuid, Path, description = "The reminder's id")),
    responses((status = 200, description = "The reopened reminder", body = Reminder)))]
#[post("/reminders/{id}/reopen")]
pub async fn reopen_reminder(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::complete(&mut conn, auth.workspace(), *id, false).await?))
}

/// Postpone a reminder until a later time (this also reopens it).
#[utoipa::path(tag = "reminders", params(("id" = Uuid, Path, description = "The reminder's id")),
    request_body = SnoozeReminder,
    responses((status = 200, description = "The snoozed reminder", body = Reminder)))]
#[post("/reminders/{id}/snooze")]
pub async fn snooze_reminder(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: ApiJson<SnoozeReminder>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(
        &service::snooze(&mut conn, auth.workspace(), *id, body.0.until).await?
    ))
}

/// Delete a reminder; the contact's follow-up is recomputed.
#[utoipa::path(tag = "reminders",
    params(("id" = Uuid, Path, description = "The reminder's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The reminder is gone")))]
#[delete("/reminders/{id}")]
pub async fn delete_reminder(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    service::delete(&mut conn, auth.workspace(), *id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}
