//! What the proposals API speaks.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::deals::dto::MAX_MINOR;
use crate::dto::{non_null, nullable, validate_not_blank};
use crate::money::validate_currency;
use crate::text_enum;

text_enum!(
    /// Where a proposal stands.
    ProposalStatus {
        Draft => "draft",
        Sent => "sent",
        Accepted => "accepted",
        Declined => "declined",
    }
);

/// One line of a proposal, with its computed amounts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalLine {
    pub id: Uuid,
    /// The catalogue product it came from, if any (deleting the product keeps the line).
    pub product_id: Option<Uuid>,
    #[schema(example = "Website audit")]
    pub description: String,
    /// Up to three decimals, e.g. 1.5 hours.
    #[schema(example = 2.0)]
    pub quantity: f64,
    #[schema(example = 120_000)]
    pub unit_price_minor: i64,
    /// 0 to 100, up to two decimals.
    #[schema(example = 10.0)]
    pub discount_percent: f64,
    /// quantity × unit price.
    #[schema(example = 240_000)]
    pub amount_minor: i64,
    #[schema(example = 24_000)]
    pub discount_minor: i64,
    /// amount − discount.
    #[schema(example = 216_000)]
    pub total_minor: i64,
}

/// A proposal's sums.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProposalTotals {
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    /// Subtotal − discounts.
    pub net_minor: i64,
    pub tax_minor: i64,
    /// Net + tax: what the client pays.
    pub total_minor: i64,
}

/// A quote for a deal.
#[derive(Debug, Serialize, ToSchema)]
pub struct Proposal {
    pub id: Uuid,
    /// The deal; null once the deal was deleted for good from the trash — an accepted proposal
    /// is kept for the books, without its deal (`deal_title` then keeps the proposal's title).
    pub deal_id: Option<Uuid>,
    #[schema(example = "Website redesign")]
    pub deal_title: String,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    pub company_name: Option<String>,
    /// Numbered 1, 2, 3… per workspace.
    #[schema(example = 7)]
    pub number: i32,
    #[schema(example = "Website redesign — proposal")]
    pub title: String,
    pub status: ProposalStatus,
    #[schema(example = "EUR")]
    pub currency: String,
    /// 0 to 100, up to two decimals, applied after discounts.
    #[schema(example = 20.0)]
    pub tax_rate_percent: f64,
    pub introduction: Option<String>,
    pub terms: Option<String>,
    pub valid_until: Option<NaiveDate>,
    pub lines: Vec<ProposalLine>,
    pub totals: ProposalTotals,
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was accepted or declined.
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// A line to write: from the catalogue (`product_id`, whose name and price are the defaults) or free text.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"product_id": "01936000-0000-7000-8000-000000000301", "quantity": 2, "discount_percent": 10}))]
pub struct NewLine {
    #[serde(default)]
    pub product_id: Option<Uuid>,
    /// Required without a product.
    #[serde(default)]
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub description: Option<String>,
    /// More than 0, up to three decimals; default 1.
    #[serde(default)]
    #[validate(range(exclusive_min = 0.0, max = 1_000_000.0))]
    #[schema(maximum = 1_000_000.0, exclusive_minimum = 0.0)]
    pub quantity: Option<f64>,
    /// Required without a product; 0 or more.
    #[serde(default)]
    #[validate(range(min = 0, max = MAX_MINOR))]
    #[schema(minimum = 0, maximum = 10000000000000.0)]
    pub unit_price_minor: Option<i64>,
    #[serde(default)]
    #[validate(range(min = 0.0, max = 100.0))]
    #[schema(minimum = 0.0, maximum = 100.0)]
    pub discount_percent: Option<f64>,
}

/// A new proposal for a deal.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "deal_id": "01936000-0000-7000-8000-000000000042",
    "tax_rate_percent": 20,
    "valid_until": "2026-12-31",
    "lines": [
        {"description": "Discovery workshop", "quantity": 1, "unit_price_minor": 150000},
        {"description": "Design and build", "quantity": 12.5, "unit_price_minor": 9000, "discount_percent": 10}
    ]
}))]
pub struct CreateProposal {
    pub deal_id: Uuid,
    /// Defaults to the deal's title.
    #[serde(default)]
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    /// Defaults to the deal's currency.
    #[serde(default)]
    #[validate(custom(function = "validate_currency"))]
    pub currency: Option<String>,
    #[serde(default)]
    #[validate(range(min = 0.0, max = 100.0))]
    #[schema(minimum = 0.0, maximum = 100.0)]
    pub tax_rate_percent: Option<f64>,
    #[serde(default)]
    #[validate(length(max = 10000))]
    #[schema(max_length = 10000)]
    pub introduction: Option<String>,
    #[serde(default)]
    #[validate(length(max = 10000))]
    #[schema(max_length = 10000)]
    pub terms: Option<String>,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub lines: Vec<NewLine>,
}

/// A partial update; `lines` replaces every line.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "sent", "version": 1}))]
pub struct UpdateProposal {
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub status: Option<ProposalStatus>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validate_currency"))]
    #[schema(nullable = false)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0.0, max = 100.0))]
    #[schema(nullable = false, minimum = 0.0, maximum = 100.0)]
    pub tax_rate_percent: Option<f64>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub introduction: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub terms: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_until: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(max = 100), nested)]
    #[schema(nullable = false, max_items = 100)]
    pub lines: Option<Vec<NewLine>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// A page of proposals, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalPage {
    pub items: Vec<Proposal>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListProposalsParams {
    /// Only this deal's proposals.
    #[param(value_type = Option<Uuid>)]
    pub deal_id: Option<String>,
    /// `draft`, `sent`, `accepted` or `declined`.
    pub status: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

impl crate::http::idempotency::Resource for Proposal {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
