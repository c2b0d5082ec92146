//! HTTP endpoints under `/api/v1/mail-settings` (admins only) and
//! `/api/v1/contacts/{id}/send-email`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::Utc;
use uuid::Uuid;

use super::dto::{
    DigestSettings, MailSender, MailSettings, PutDigest, PutMailSettings, SendEmail, TestMail, TestMailResult,
};
use super::service;
use crate::error::{AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, stale_status};
use crate::interactions::dto::Interaction;
use crate::state::AppState;

fn ok(settings: &MailSettings) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", settings.version)))
        .json(settings)
}

/// The workspace's mail server (without its password).
#[utoipa::path(
    tag = "mail",
    responses(
        (status = 200, description = "The mail settings", body = MailSettings,
            headers(("ETag" = String, description = "The settings' version"))),
        (status = 404, description = "No mail server is set (`not_found`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[get("/mail-settings")]
pub async fn get_mail_settings(state: web::Data<AppState>, auth: Auth) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), Utc::now()).await?))
}

/// Set the mail server emails are sent through. The password is kept sealed with the server's
/// SECRETS_KEY and never shown again; leave it out to keep the one saved.
#[utoipa::path(
    tag = "mail",
    params(("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = PutMailSettings,
    responses(
        (status = 200, description = "The saved settings", body = MailSettings,
            headers(("ETag" = String, description = "The settings' version"))),
        (status = 404, description = "A `version` was given but no mail server is set (`not_found`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The settings changed since the version given (`version_conflict`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "A password was given but the server has no SECRETS_KEY (`secrets_key_missing`)",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/mail-settings")]
pub async fn put_mail_settings(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: ApiJson<PutMailSettings>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    let saved = service::put(
        &mut conn,
        auth.workspace(),
        body.0,
        expected,
        &state.config.outbound,
        Some(auth.user_id()),
        Utc::now(),
    )
    .await
    .map_err(stale_status(&req))?;
    Ok(ok(&saved))
}

/// Remove the mail server: nothing more is sent (queued emails fail when their turn comes).
#[utoipa::path(
    tag = "mail",
    params(("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses(
        (status = 204, description = "The mail settings are gone"),
        (status = 404, description = "No mail server is set (`not_found`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[delete("/mail-settings")]
pub async fn delete_mail_settings(state: web::Data<AppState>, auth: Auth, req: HttpRequest) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    service::delete(&mut conn, auth.workspace(), expected)
        .await
        .map_err(stale_status(&req))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send a test email now through the saved settings (to yourself unless `to` is given) and see
/// how the server answered.
#[utoipa::path(
    tag = "mail",
    request_body = TestMail,
    responses(
        (status = 200, description = "How it went: `delivered`, or the `error`", body = TestMailResult),
        (status = 409, description = "No mail server is set (`mail_not_configured`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[post("/mail-settings/test")]
pub async fn test_mail_settings(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<TestMail>,
) -> AppResult<web::Json<TestMailResult>> {
    Ok(web::Json(
        service::send_test(&state, auth.workspace(), body.0, auth.user_id()).await?,
    ))
}

/// Whether emails can be sent from Rapport in this workspace, and from which address.
#[utoipa::path(tag = "mail", responses((status = 200, description = "The sender", body = MailSender)))]
#[get("/mail-sender")]
pub async fn get_mail_sender(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<MailSender>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::sender_of(&mut conn, auth.workspace()).await?))
}

/// Send an email to the contact through the workspace's mail server: rendered from a template or
/// written here, sent as plain text and HTML, and logged at once as an outbound email interaction
/// with its Message-ID (`delivery.status` `queued`, then `sent` or `failed`).
#[utoipa::path(
    tag = "mail",
    params(("id" = Uuid, Path, description = "The contact's id")),
    request_body = SendEmail,
    responses(
        (status = 202, description = "Queued: the email's interaction", body = Interaction,
            headers(("Location" = String, description = "URL of the interaction"))),
        (status = 404, description = "No such contact (`not_found`)", body = Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "No mail server is set (`mail_not_configured`)", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "The workspace's daily limit is reached (`daily_send_limit`)", body = Problem,
            content_type = "application/problem+json", headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
)]
#[post("/contacts/{id}/send-email")]
pub async fn send_email(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: ApiJson<SendEmail>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let interaction = service::send_to_contact(
        &mut conn,
        auth.workspace(),
        *id,
        body.0,
        Some(auth.user_id()),
        None,
        Utc::now(),
    )
    .await?;
    super::wake();
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/interactions/{}", interaction.id)))
        .json(interaction))
}

/// Your daily email of due follow-ups in this workspace: whether you get it, when, and in which
/// time zone.
#[utoipa::path(tag = "mail", responses((status = 200, description = "Your digest settings", body = DigestSettings)))]
#[get("/me/digest")]
pub async fn get_digest(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<DigestSettings>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::digest(&mut conn, auth.workspace(), auth.user_id()).await?,
    ))
}

/// Turn your daily email of due follow-ups on or off, at an hour of your day. It is sent once a
/// day from that hour, only on days with something due, through the workspace's mail server.
#[utoipa::path(
    tag = "mail",
    request_body = PutDigest,
    responses((status = 200, description = "Your digest settings", body = DigestSettings)),
)]
#[put("/me/digest")]
pub async fn put_digest(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<PutDigest>,
) -> AppResult<web::Json<DigestSettings>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::put_digest(&mut conn, auth.workspace(), auth.user_id(), body.0, Utc::now()).await?,
    ))
}
