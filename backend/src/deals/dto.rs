//! What the deals API speaks.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::dto::{non_null, nullable, validate_not_blank};
use crate::money::validate_currency;
use crate::pipelines::dto::{Pipeline, Stage};
use crate::text_enum;

/// Largest accepted amount in minor units (100 billion in a two-decimal currency).
pub const MAX_MINOR: i64 = 10_000_000_000_000;

text_enum!(
    /// Where a deal stands; it follows the kind of its stage.
    DealStatus {
        Open => "open",
        Won => "won",
        Lost => "lost",
    }
);

impl Deal {
    /// Every field, for `fields=` (a unit test checks it against the schema).
    pub const FIELDS: &[&'static str] = &[
        "id",
        "title",
        "contact_id",
        "contact_name",
        "company_id",
        "company_name",
        "pipeline_id",
        "pipeline_name",
        "stage_id",
        "stage_name",
        "value_minor",
        "currency",
        "recurring_months",
        "total_value_minor",
        "probability",
        "probability_overridden",
        "weighted_value_minor",
        "expected_close_date",
        "status",
        "lost_reason",
        "notes",
        "custom_fields",
        "stage_changed_at",
        "closed_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "owner_id",
        "version",
    ];
}

/// An opportunity: a sale, a project, a job application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Deal {
    pub id: Uuid,
    #[schema(example = "Website redesign")]
    pub title: String,
    pub contact_id: Option<Uuid>,
    #[schema(example = "Ada Lovelace")]
    pub contact_name: Option<String>,
    pub company_id: Option<Uuid>,
    #[schema(example = "Analytical Engines Ltd")]
    pub company_name: Option<String>,
    pub pipeline_id: Uuid,
    #[schema(example = "Sales")]
    pub pipeline_name: String,
    pub stage_id: Uuid,
    #[schema(example = "Proposal")]
    pub stage_name: String,
    /// The amount in minor units (cents); for a retainer, the amount per month.
    #[schema(example = 1_200_000)]
    pub value_minor: i64,
    /// ISO 4217 code.
    #[schema(example = "EUR")]
    pub currency: String,
    /// For a retainer, the number of months it runs; `null` for a one-off deal.
    #[schema(example = json!(null))]
    pub recurring_months: Option<i32>,
    /// `value_minor`, times `recurring_months` for a retainer.
    #[schema(example = 1_200_000)]
    pub total_value_minor: i64,
    /// The deal's own probability, else its stage's.
    #[schema(example = 60)]
    pub probability: i16,
    /// True when the deal sets its own probability instead of following its stage.
    pub probability_overridden: bool,
    /// `total_value_minor × probability`.
    #[schema(example = 720_000)]
    pub weighted_value_minor: i64,
    pub expected_close_date: Option<NaiveDate>,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    pub notes: Option<String>,
    /// Values of the workspace's deal custom fields, by key.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, example = json!({}))]
    pub custom_fields: serde_json::Value,
    /// When the deal last entered a stage.
    pub stage_changed_at: DateTime<Utc>,
    /// When the deal was won or lost.
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set while the deal is in the trash.
    pub deleted_at: Option<DateTime<Utc>>,
    #[schema(example = 1)]
    /// The member responsible for the deal (a user id; see `/api/v1/members`).
    pub owner_id: Option<Uuid>,
    pub version: i32,
}

/// A new deal. Without a pipeline it goes to the first one; without a stage, to the first open stage.
#[derive(Debug, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Website redesign",
    "value_minor": 1200000,
    "currency": "EUR",
    "expected_close_date": "2027-01-31"
}))]
pub struct CreateDeal {
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// Defaults to the contact's company.
    #[serde(default)]
    pub company_id: Option<Uuid>,
    /// The member responsible for the deal (a user id); defaults to you, `null` for nobody.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub pipeline_id: Option<Uuid>,
    #[serde(default)]
    pub stage_id: Option<Uuid>,
    /// Minor units (cents), 0 or more; per month for a retainer.
    #[serde(default)]
    #[validate(range(min = 0, max = MAX_MINOR))]
    #[schema(minimum = 0, maximum = 10000000000000.0)]
    pub value_minor: Option<i64>,
    /// ISO 4217 code; the workspace's currency by default.
    #[serde(default)]
    #[validate(custom(function = "validate_currency"))]
    pub currency: Option<String>,
    /// Makes the deal a retainer running this many months.
    #[serde(default)]
    #[validate(range(min = 1, max = 120))]
    #[schema(minimum = 1, maximum = 120)]
    pub recurring_months: Option<i32>,
    /// 0 to 100; the stage's default when absent.
    #[serde(default)]
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub probability: Option<i16>,
    #[serde(default)]
    pub expected_close_date: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub lost_reason: Option<String>,
    #[serde(default)]
    #[validate(length(max = 10000))]
    #[schema(max_length = 10000)]
    pub notes: Option<String>,
    /// Values of the workspace's deal custom fields, by key.
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, example = json!({}))]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
}

/// A partial update. Moving a deal is a change of `stage_id` (and `pipeline_id` to move it to
/// another pipeline); `status` alone moves it to the pipeline's first won, lost or open stage.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage_id": "01936000-0000-7000-8000-000000000213", "version": 1}))]
pub struct UpdateDeal {
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub contact_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub company_id: Option<Option<Uuid>>,
    /// Another member to be responsible for the deal; `null` for nobody.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub pipeline_id: Option<Uuid>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub stage_id: Option<Uuid>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(range(min = 0, max = MAX_MINOR))]
    #[schema(nullable = false, minimum = 0, maximum = 10000000000000.0)]
    pub value_minor: Option<i64>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "validate_currency"))]
    #[schema(nullable = false)]
    pub currency: Option<String>,
    /// `null` makes a retainer a one-off deal.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(range(min = 1, max = 120))]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 120)]
    pub recurring_months: Option<Option<i32>>,
    /// `null` goes back to the stage's default.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(range(min = 0, max = 100))]
    #[schema(value_type = Option<i16>, minimum = 0, maximum = 100)]
    pub probability: Option<Option<i16>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub expected_close_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub status: Option<DealStatus>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 500))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub lost_reason: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub notes: Option<Option<String>>,
    /// Custom field values to set, by key; `null` removes a value.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, nullable = false)]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// The version you edited; a mismatch answers 409 (412 when the version comes as If-Match).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// A page of deals.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealPage {
    pub items: Vec<Deal>,
    pub next_cursor: Option<String>,
    /// Only with `include_total=true`.
    pub total: Option<i64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListDealsParams {
    /// Only these fields of each deal, comma-separated (`id` is always there), e.g.
    /// `id,title,stage_name,value_minor,currency`. The items then follow `DealFields` (only `id`
    /// required).
    #[param(example = "id,title,stage_name,value_minor,currency,status")]
    pub fields: Option<String>,
    /// Words in the title.
    pub q: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub pipeline_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub stage_id: Option<String>,
    /// `open`, `won` or `lost`.
    pub status: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub contact_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub company_id: Option<String>,
    /// Whose deals: `me`, `none` (nobody's) or a member's user id.
    #[param(example = "me")]
    pub owner: Option<String>,
    /// `-created_at` (default), `created_at`, `title`, `-title`, `stage_changed_at`, `-stage_changed_at`.
    #[param(example = "-created_at")]
    pub sort: Option<String>,
    /// `true` lists the trash instead.
    #[param(value_type = Option<bool>)]
    pub trashed: Option<String>,
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// Query parameters of `GET /api/v1/deals/export`: the list's filters and sort (no paging).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportDealsParams {
    /// Words in the title.
    pub q: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub pipeline_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub stage_id: Option<String>,
    /// `open`, `won` or `lost`.
    pub status: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub contact_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub company_id: Option<String>,
    /// Whose deals: `me`, `none` (nobody's) or a member's user id.
    pub owner: Option<String>,
    /// Sort order, as for the list (default `-created_at`).
    pub sort: Option<String>,
    /// `true` exports the trash instead.
    #[param(value_type = Option<bool>)]
    pub trashed: Option<String>,
}

impl ExportDealsParams {
    pub fn as_list(&self) -> ListDealsParams {
        ListDealsParams {
            q: self.q.clone(),
            pipeline_id: self.pipeline_id.clone(),
            stage_id: self.stage_id.clone(),
            status: self.status.clone(),
            contact_id: self.contact_id.clone(),
            company_id: self.company_id.clone(),
            owner: self.owner.clone(),
            sort: self.sort.clone(),
            trashed: self.trashed.clone(),
            ..Default::default()
        }
    }
}

/// One stage change of a deal.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageChange {
    pub id: Uuid,
    /// `null` for the stage the deal was created in.
    pub from_stage_id: Option<Uuid>,
    pub from_stage_name: Option<String>,
    pub to_stage_id: Option<Uuid>,
    pub to_stage_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// Every stage a deal entered, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageHistory {
    pub items: Vec<StageChange>,
}

/// A sum of deals in one currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoneyTotal {
    #[schema(example = "EUR")]
    pub currency: String,
    #[schema(example = 3_600_000)]
    pub value_minor: i64,
    /// Each deal's value times its probability, summed.
    #[schema(example = 1_080_000)]
    pub weighted_minor: i64,
}

/// One column of the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardColumn {
    pub stage: Stage,
    /// Deals in the stage (all of them, not only those listed).
    pub count: i64,
    /// Value and weighted value per currency.
    pub totals: Vec<MoneyTotal>,
    /// The most recently moved deals first, at most `limit_per_stage`.
    pub deals: Vec<Deal>,
    /// True when the stage holds more deals than listed.
    pub has_more: bool,
}

/// One pipeline's live deals grouped by stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    pub pipeline: Pipeline,
    pub columns: Vec<BoardColumn>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardParams {
    /// Deals listed per stage, 1 to 200 (default 50); counts and totals cover every deal.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit_per_stage: Option<String>,
}

impl crate::http::idempotency::Resource for Deal {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
