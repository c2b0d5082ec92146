//! HTTP endpoints under `/api/v1/webhooks` and `/api/v1/webhook-deliveries` (admins only).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{
    CreateWebhook, CreatedWebhook, Delivery, DeliveryPage, DeliveryStatus, UpdateWebhook, Webhook, WebhookList,
};
use super::service;
use crate::error::{AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

/// The workspace's webhooks, oldest first.
#[utoipa::path(tag = "webhooks", responses((status = 200, description = "The webhooks", body = WebhookList)))]
#[get("/webhooks")]
pub async fn list_webhooks(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<WebhookList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace()).await?))
}

/// Add a webhook: an `https://` URL on a public address and the events to send there. The answer
/// holds its signing secret, shown this once.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateWebhook,
    responses(
        (status = 201, description = "The webhook and its secret", body = CreatedWebhook,
            headers(("Location" = String, description = "URL of the webhook"))),
        (status = 409, description = "The workspace has 20 webhooks already (`too_many_webhooks`)", body = Problem,
            content_type = "application/problem+json"),
        (status = 503, description = "The server has no SECRETS_KEY to keep the secret with (`secrets_key_missing`)",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<CreateWebhook>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let created = service::create(
        &mut conn,
        auth.workspace(),
        body.0,
        &state.config.outbound,
        Some(auth.user_id()),
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", created.webhook.id)))
        .insert_header((header::ETAG, format!("\"{}\"", created.webhook.version)))
        .json(created))
}

#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses((status = 200, description = "The webhook", body = Webhook)),
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Change a webhook's URL, events or description, or turn it off and on. Turning it off fails
/// its pending deliveries; turning it on clears the reason Rapport turned it off for.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The webhook's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateWebhook,
    responses((status = 200, description = "The webhook", body = Webhook)),
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateWebhook>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    let hook = service::update(
        &mut conn,
        auth.workspace(),
        *id,
        body.0,
        expected,
        &state.config.outbound,
        Utc::now(),
    )
    .await
    .map_err(stale_status(&req))?;
    Ok(ok(&hook))
}

/// Delete a webhook and its delivery log; nothing more is sent to it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The webhook's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The webhook is gone")),
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
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

/// A new signing secret, shown this once; the old one stops working at once.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The webhook's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses(
        (status = 200, description = "The webhook and its new secret", body = CreatedWebhook),
        (status = 503, description = "The server has no SECRETS_KEY (`secrets_key_missing`)",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    let rotated = service::rotate_secret(&mut conn, auth.workspace(), *id, expected, &state.config.outbound)
        .await
        .map_err(stale_status(&req))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", rotated.webhook.version)))
        .json(rotated))
}

/// Send a `webhook.test` event now and see how the endpoint answered (recorded in the delivery
/// log; not retried). Works while the webhook is turned off, to check it before turning it on.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses(
        (status = 200, description = "The test delivery: `delivered`, or `failed` with the answer or the error",
            body = Delivery),
        (status = 503, description = "The server has no SECRETS_KEY (`secrets_key_missing`)",
            body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhooks/{id}/test")]
pub async fn test_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Delivery>> {
    Ok(web::Json(
        service::send_test(&state, auth.workspace(), *id, Utc::now()).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListDeliveriesParams {
    /// Only deliveries in this state.
    #[param(value_type = Option<DeliveryStatus>)]
    pub status: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// The webhook's delivery log, newest first (kept 30 days).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The webhook's id"), ListDeliveriesParams),
    responses((status = 200, description = "A page of deliveries", body = DeliveryPage)),
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ListDeliveriesParams>,
) -> AppResult<web::Json<DeliveryPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::deliveries(
            &mut conn,
            auth.workspace(),
            *id,
            query.status.as_deref(),
            query.limit.as_deref(),
            query.cursor.as_deref(),
        )
        .await?,
    ))
}

/// Send a delivered or failed delivery once more, with the same body and `webhook-id` (a
/// receiver that saw it already can tell). Queued at once; not retried if it fails.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The delivery's id")),
    responses(
        (status = 202, description = "Queued: the delivery is `pending` until its attempt", body = Delivery),
        (status = 409, description = "It is still being attempted (`delivery_pending`), or the webhook is off \
            (`webhook_disabled`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/webhook-deliveries/{id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let delivery = service::redeliver(&mut conn, auth.workspace(), *id, Utc::now()).await?;
    super::wake();
    Ok(HttpResponse::Accepted().json(delivery))
}
