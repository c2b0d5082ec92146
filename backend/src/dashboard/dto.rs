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

/// Won against lost deals closed in the last 12 months.
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
    /// The last 12 months, oldest first, the current month last.
    pub by_month: Vec<MonthAmount>,
    /// Last 12 months by the contacts' source, largest first.
    pub by_source: Vec<SourceAmount>,
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
}
