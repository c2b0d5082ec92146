//! HTTP endpoints for the product catalogue under `/api/v1/products`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::dto::{CreateProduct, ListProductsParams, Product, ProductPage, UpdateProduct};
use super::service;
use crate::error::AppResult;
use crate::http::auth::Auth;
use crate::http::idempotency;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, ok_with_etag as ok, stale_status};
use crate::state::AppState;

/// List products by name; search name, SKU and category.
#[utoipa::path(tag = "products", params(ListProductsParams),
    responses((status = 200, description = "A page of products", body = ProductPage)))]
#[get("/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    auth: Auth,
    params: web::Query<ListProductsParams>,
) -> AppResult<web::Json<ProductPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace(), &params).await?))
}

/// Add a product to the catalogue.
#[utoipa::path(tag = "products",
    params(("Idempotency-Key" = Option<String>, Header, description = "Any unique string identifying this creation")),
    request_body = CreateProduct,
    responses((status = 201, description = "The product was created", body = Product,
        headers(("Location" = String, description = "URL of the product")))))]
#[post("/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CreateProduct>,
) -> AppResult<HttpResponse> {
    idempotency::create(&state, &req, body.0, "/api/v1/products", |conn, workspace, input| {
        Box::pin(service::create(conn, workspace, input))
    })
    .await
}

/// Get one product.
#[utoipa::path(tag = "products", params(("id" = Uuid, Path, description = "The product's id")),
    responses((status = 200, description = "The product", body = Product)))]
#[get("/products/{id}")]
pub async fn get_product(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Change a product; proposals already written keep their prices.
#[utoipa::path(tag = "products",
    params(("id" = Uuid, Path, description = "The product's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateProduct,
    responses((status = 200, description = "The updated product", body = Product)))]
#[patch("/products/{id}")]
pub async fn update_product(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateProduct>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    Ok(ok(&service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?))
}

/// Delete a product; proposal lines that used it keep their text and price.
#[utoipa::path(tag = "products",
    params(("id" = Uuid, Path, description = "The product's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The product is gone")))]
#[delete("/products/{id}")]
pub async fn delete_product(
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
