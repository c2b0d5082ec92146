//! What the dashboard API speaks.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::activity::service::ActivityItem;
use crate::deals::dto::Deal;
use crate::pipelines::dto::StageKind;

/// Open value in one stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageValue {
    pub stage_id: Uuid,
    #[schema(example = "Proposal")]
    pub name: String,
    pub kind: StageKind,
    pub count: i64,
    pub value_minor: i64,
    pub weighted_minor: i64,
}

/// One pipeline's deals by stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineValue {
    pub pipeline_id: Uuid,
    #[schema(example = "Sales")]
    pub name: String,
    pub stages: Vec<StageValue>,
}

/// Expected income in one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastMonth {
    #[schema(example = "2026-12")]
    pub month: String,
    /// Open deals expected to close that month (retainers spread over their months), at full value.
    pub value_minor: i64,
    /// The same, times each deal's probability.
    pub weighted_minor: i64,
}

/// Deals with no stage change for a while.
#[derive(Debug, Serialize, ToSchema)]
pub struct StalledDeals {
    /// The threshold, from settings.
    #[schema(example = 14)]
    pub days: i32,
    pub count: i64,
    /// The ten that have waited longest.
    pub deals: Vec<Deal>,
}

/// Won against lost deals closed in the dashboard's period.
#[derive(Debug, Serialize, ToSchema)]
pub struct WinRate {
    pub won: i64,
    pub lost: i64,
    /// `won / (won + lost)` between 0 and 1; `null` before anything closed.
    #[schema(example = 0.42)]
    pub rate: Option<f64>,
    /// Average days from creation to winning; `null` before the first win.
    #[schema(example = 23.5)]
    pub average_days_to_win: Option<f64>,
}

/// How many deals that reached a stage went on to the next one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversionStep {
    #[schema(example = "Qualified")]
    pub from_stage: String,
    #[schema(example = "Proposal")]
    pub to_stage: String,
    pub reached: i64,
    pub advanced: i64,
    /// `advanced / reached`; `null` when no deal reached the stage.
    pub rate: Option<f64>,
}

/// Stage-to-stage conversion of one pipeline, from its deals' stage history.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineConversion {
    pub pipeline_id: Uuid,
    pub name: String,
    pub steps: Vec<ConversionStep>,
}

/// Revenue in one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthAmount {
    #[schema(example = "2026-11")]
    pub month: String,
    pub amount_minor: i64,
}

/// Revenue from one contact source.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceAmount {
    #[schema(example = "referral")]
    pub source: String,
    pub amount_minor: i64,
}

/// Revenue figures (payments plus won deals without payments).
#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueSummary {
    pub this_month_minor: i64,
    pub last_12_months_minor: i64,
    /// Revenue in the dashboard's period.
    pub period_minor: i64,
    /// Each month of the period, oldest first.
    pub by_month: Vec<MonthAmount>,
    /// The period's revenue by the contacts' source, largest first.
    pub by_source: Vec<SourceAmount>,
}

crate::text_enum!(
    /// The span the dashboard's revenue and win rate cover: `this_month`, `this_quarter`,
    /// `this_year`, `last_12_months` (the default) or `custom` (with `from` and `to`).
    PeriodName {
        ThisMonth => "this_month",
        ThisQuarter => "this_quarter",
        ThisYear => "this_year",
        #[serde(rename = "last_12_months")]
        Last12Months => "last_12_months",
        Custom => "custom",
    }
);

/// The days the dashboard's revenue and win rate cover, both included.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Period {
    pub name: PeriodName,
    #[schema(example = "2026-10-01")]
    pub from: chrono::NaiveDate,
    #[schema(example = "2026-12-03")]
    pub to: chrono::NaiveDate,
}

/// Follow-ups that need a touchpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpSummary {
    pub overdue: i64,
    pub due_today: i64,
}

/// Everything the dashboard shows, money in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    #[schema(example = "EUR")]
    pub currency: String,
    /// What the revenue figures by month and source, and the win rate, cover.
    pub period: Period,
    /// Currencies used by deals and payments, for switching.
    pub currencies: Vec<String>,
    pub open_value_minor: i64,
    pub weighted_value_minor: i64,
    pub pipelines: Vec<PipelineValue>,
    /// This month and the next 11; overdue close dates count in this month.
    pub forecast: Vec<ForecastMonth>,
    /// Weighted value of open deals without an expected close date.
    pub forecast_undated_weighted_minor: i64,
    pub stalled: StalledDeals,
    pub win_rate: WinRate,
    pub conversion: Vec<PipelineConversion>,
    pub revenue: RevenueSummary,
    /// Contacts created this month.
    pub new_leads_this_month: i64,
    pub follow_ups: FollowUpSummary,
    pub recent_activity: Vec<ActivityItem>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// ISO 4217 code of the money figures, default the workspace's currency.
    pub currency: Option<String>,
    /// Whose work the figures count: `me`, `none` (nobody's) or a member's user id; default
    /// everyone's. Deals count by their owner, new leads and follow-ups by the contact's owner,
    /// payments by their deal's owner (else their contact's). Recent activity stays the
    /// workspace's feed.
    #[param(example = "me")]
    pub owner: Option<String>,
    /// The span of the revenue by month and by source and of the win rate: `this_month`,
    /// `this_quarter`, `this_year`, `last_12_months` (default) or `custom` with `from` and `to`.
    #[param(value_type = Option<PeriodName>)]
    pub period: Option<String>,
    /// First day of a `custom` period.
    #[param(value_type = Option<chrono::NaiveDate>, example = "2026-01-01")]
    pub from: Option<String>,
    /// Last day of a `custom` period (at most ten years after `from`).
    #[param(value_type = Option<chrono::NaiveDate>, example = "2026-06-30")]
    pub to: Option<String>,
}

crate::text_enum!(
    /// A card of the dashboard.
    DashboardCard {
        Figures => "figures",
        PipelineByStage => "pipeline_by_stage",
        ExpectedIncome => "expected_income",
        RevenueByMonth => "revenue_by_month",
        RevenueBySource => "revenue_by_source",
        StageConversion => "stage_conversion",
        StalledDeals => "stalled_deals",
        RecentActivity => "recent_activity",
    }
);

/// One card of a dashboard layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutCard {
    pub card: DashboardCard,
    /// Shown (`true`) or hidden.
    pub visible: bool,
}

/// How you arranged your dashboard in this workspace: every card in its order, shown or hidden,
/// and the period of its revenue and win rate. Cards the layout does not name come last, shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "cards": [
        {"card": "figures", "visible": true},
        {"card": "revenue_by_month", "visible": true},
        {"card": "recent_activity", "visible": false}
    ],
    "period": "this_quarter"
}))]
pub struct DashboardLayout {
    /// The cards in their order, each at most once (at most 8).
    #[validate(length(max = 8))]
    #[schema(max_items = 8)]
    pub cards: Vec<LayoutCard>,
    #[serde(default = "default_period")]
    pub period: PeriodName,
    /// First day of a `custom` period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day of a `custom` period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<chrono::NaiveDate>,
}

fn default_period() -> PeriodName {
    PeriodName::Last12Months
}
