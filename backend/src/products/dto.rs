//! What the products API speaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::deals::dto::MAX_MINOR;
use crate::dto::{non_null, nullable, validate_not_blank};
use crate::money::validate_currency;

/// Something you sell: a product, a service, a package.
#[derive(Debug, Serialize, ToSchema)]
pub struct Product {
    pub id: Uuid,
    #[schema(example = "Website audit")]
    pub name: String,
    /// Your own reference; unique in the workspace (ignoring case).
    #[schema(example = "AUD-01")]
    pub sku: Option<String>,
    #[schema(example = "Consulting")]
    pub category: Option<String>,
    /// Unit price in minor units.
    #[schema(example = 120_000)]
    pub price_minor: i64,
    #[schema(example = "EUR")]
    pub currency: String,
    pub description: Option<String>,
    /// Whether it can be sold right now.
    pub in_stock: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// A new product.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Website audit", "sku": "AUD-01", "category": "Consulting", "price_minor": 120000, "currency": "EUR"}))]
pub struct CreateProduct {
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub sku: Option<String>,
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub category: Option<String>,
    #[validate(range(min = 0, max = MAX_MINOR))]
    #[schema(minimum = 0, maximum = 10000000000000.0)]
    pub price_minor: i64,
    /// The workspace's currency by default.
    #[serde(default)]
    #[validate(custom(function = "validate_currency"))]
    pub currency: Option<String>,
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// Default true.
    #[serde(default)]
    pub in_stock: Option<bool>,
}

/// A partial update; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"price_minor": 135000, "version": 1}))]
pub struct UpdateProduct {
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 64))]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub sku: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 100))]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0, max = MAX_MINOR))]
    #[schema(nullable = false, minimum = 0, maximum = 10000000000000.0)]
    pub price_minor: Option<i64>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validate_currency"))]
    #[schema(nullable = false)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub in_stock: Option<bool>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// A page of products, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<Product>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListProductsParams {
    /// Words in the name, SKU or category.
    pub q: Option<String>,
    pub category: Option<String>,
    /// `true` for what can be sold now.
    #[param(value_type = Option<bool>)]
    pub in_stock: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

impl crate::http::idempotency::Resource for Product {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
