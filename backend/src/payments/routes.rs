//! HTTP endpoints for payments under `/api/v1/payments` and the revenue report.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{
    CreatePayment, ListPaymentsParams, Payment, PaymentPage, RevenueParams, RevenueReport, UpdatePayment,
};
use super::{revenue, service};
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

/// List payments, latest received first; filter by contact or deal.
#[utoipa::path(tag = "revenue", params(ListPaymentsParams),
    responses((status = 200, description = "A page of payments", body = PaymentPage)))]
#[get("/payments")]
pub async fn list_payments(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ListPaymentsParams>,
) -> AppResult<web::Json<PaymentPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace(), &params).await?))
}

/// Record a payment from a contact (optionally for one of their deals).
#[utoipa::path(tag = "revenue",
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string identifying this creation")),
    request_body = CreatePayment,
    responses((status = 201, description = "The payment was recorded", body = Payment,
        headers(("Location" = String, description = "URL of the payment")))))]
#[post("/payments")]
pub async fn create_payment(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreatePayment>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/payments", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one payment.
#[utoipa::path(tag = "revenue", params(("id" = Uuid, Path, description = "The payment's id")),
    responses((status = 200, description = "The payment", body = Payment)))]
#[get("/payments/{id}")]
pub async fn get_payment(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Change a payment.
#[utoipa::path(tag = "revenue",
    params(("id" = Uuid, Path, description = "The payment's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdatePayment,
    responses((status = 200, description = "The updated payment", body = Payment)))]
#[patch("/payments/{id}")]
pub async fn update_payment(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdatePayment>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    Ok(ok(&service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?))
}

/// Delete a payment.
#[utoipa::path(tag = "revenue",
    params(("id" = Uuid, Path, description = "The payment's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The payment is gone")))]
#[delete("/payments/{id}")]
pub async fn delete_payment(
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

/// Revenue in one currency, by month, contact or contact source: payments received plus won
/// deals that have no payment recorded yet (a retainer counts month by month, never ahead).
#[utoipa::path(tag = "revenue", params(RevenueParams),
    responses((status = 200, description = "The revenue report", body = RevenueReport)))]
#[get("/revenue")]
pub async fn get_revenue(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<RevenueParams>,
) -> AppResult<web::Json<RevenueReport>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(revenue::report(&mut conn, auth.workspace(), &params).await?))
}
