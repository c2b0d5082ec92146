//! What the payments and revenue API speaks.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::deals::dto::MAX_MINOR;
use crate::dto::{non_null, nullable};
use crate::money::validate_currency;
use crate::text_enum;

/// Money received from a contact, optionally for a deal.
#[derive(Debug, Serialize, ToSchema)]
pub struct Payment {
    pub id: Uuid,
    /// Who paid; none once that person was erased on request (the payment stays for the books).
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    /// Minor units (cents), more than 0.
    #[schema(example = 250_000)]
    pub amount_minor: i64,
    #[schema(example = "EUR")]
    pub currency: String,
    pub received_on: NaiveDate,
    #[schema(example = "Invoice 2026-014")]
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// A payment to record.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "contact_id": "01936000-0000-7000-8000-000000000042",
    "amount_minor": 250000,
    "currency": "EUR",
    "received_on": "2026-11-20",
    "note": "Invoice 2026-014"
}))]
pub struct CreatePayment {
    pub contact_id: Uuid,
    /// A deal of the same contact, if the payment is for one.
    #[serde(default)]
    pub deal_id: Option<Uuid>,
    #[validate(range(min = 1, max = MAX_MINOR))]
    #[schema(minimum = 1, maximum = 10000000000000.0)]
    pub amount_minor: i64,
    /// ISO 4217 code; the deal's, else the workspace's currency by default.
    #[serde(default)]
    #[validate(custom(function = "validate_currency"))]
    pub currency: Option<String>,
    pub received_on: NaiveDate,
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// A partial update of a payment.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_minor": 260000, "version": 1}))]
pub struct UpdatePayment {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub deal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 1, max = MAX_MINOR))]
    #[schema(nullable = false, minimum = 1, maximum = 10000000000000.0)]
    pub amount_minor: Option<i64>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validate_currency"))]
    #[schema(nullable = false)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub received_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 1000))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub note: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// A page of payments, latest received first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentPage {
    pub items: Vec<Payment>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPaymentsParams {
    #[param(value_type = Option<Uuid>)]
    pub contact_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub deal_id: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

text_enum!(
    /// How a revenue report is grouped.
    RevenueGrouping {
        Month => "month",
        Contact => "contact",
        Source => "source",
    }
);

/// One group of a revenue report.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueRow {
    /// `2026-11` for a month, a contact id, or a source (`unknown` when not set).
    #[schema(example = "2026-11")]
    pub key: String,
    #[schema(example = "Nov 2026")]
    pub label: String,
    /// Payments plus won deals without payments.
    #[schema(example = 480_000)]
    pub amount_minor: i64,
    pub payments_minor: i64,
    /// Won deals that have no payment recorded yet (a retainer counts month by month).
    pub won_deals_minor: i64,
}

/// Revenue in one currency over a date range.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueReport {
    #[schema(example = "EUR")]
    pub currency: String,
    pub by: RevenueGrouping,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total_minor: i64,
    /// Months in order (including empty ones); contacts and sources largest first (at most 100).
    pub rows: Vec<RevenueRow>,
    /// Other currencies with revenue in the range, which this report leaves out.
    pub other_currencies: Vec<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevenueParams {
    /// `month` (default), `contact` or `source`.
    pub by: Option<String>,
    /// First day, default the first day of the month 11 months ago.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Last day, default today.
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// ISO 4217 code, default the workspace's currency.
    pub currency: Option<String>,
    /// Only this contact's revenue.
    #[param(value_type = Option<Uuid>)]
    pub contact_id: Option<String>,
}

impl crate::http::idempotency::Resource for Payment {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
