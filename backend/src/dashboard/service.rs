//! Builds the dashboard from aggregate queries over deals, stages, payments and contacts.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::dto::{
    ConversionStep, Dashboard, DashboardCard, DashboardLayout, DashboardParams, FollowUpSummary, ForecastMonth,
    LayoutCard, MonthAmount, Period, PeriodName, PipelineConversion, PipelineValue, RevenueSummary, SourceAmount,
    StageValue, StalledDeals, WinRate,
};
use super::store::{self, OwnerFilter, WON_RANK};
use crate::activity::service::{self as activity, Scope};
use crate::contacts;
use crate::db::WorkspaceId;
use crate::deals;
use crate::error::{AppResult, FieldError};
use crate::http::params::{self, ParamErrors};
use crate::payments::revenue::{self, month_start};
use crate::pipelines;
use crate::pipelines::dto::StageKind;

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The days a period covers on `today`, and since when deals closed count for the win rate
/// (the last 12 months keep their rolling 365 days). `from`/`to` only with `custom`.
fn period(
    name: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
    errors: &mut ParamErrors,
) -> Option<(Period, DateTime<Utc>)> {
    let today = now.date_naive();
    let name = errors
        .take(params::choice::<PeriodName>("period", name))?
        .unwrap_or(PeriodName::Last12Months);
    let (from, to) = (
        errors.take(params::date("from", from))?,
        errors.take(params::date("to", to))?,
    );
    let (first, last) = match name {
        PeriodName::Custom => {
            let (Some(first), Some(last)) = (from, to) else {
                let missing = if from.is_none() { "from" } else { "to" };
                errors.push(missing, "is required with period=custom");
                return None;
            };
            if first > last {
                errors.push("to", "must be on or after from");
                return None;
            }
            if (last - first).num_days() > 3660 {
                errors.push("to", "must be at most ten years after from");
                return None;
            }
            (first, last)
        }
        _ if from.is_some() || to.is_some() => {
            let field = if from.is_some() { "from" } else { "to" };
            errors.push(field, "is only taken with period=custom");
            return None;
        }
        PeriodName::ThisMonth => (month_start(today, 0), today),
        PeriodName::ThisQuarter => (month_start(today, today.month0() % 3), today),
        PeriodName::ThisYear => (month_start(today, today.month0()), today),
        PeriodName::Last12Months => (month_start(today, 11), today),
    };
    let closed_since = match name {
        PeriodName::Last12Months => now - chrono::Duration::days(365),
        _ => store::midnight(first),
    };
    Some((
        Period {
            name,
            from: first,
            to: last,
        },
        closed_since,
    ))
}

/// The dashboard; `me` is the caller (for `owner=me`).
pub async fn get(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &DashboardParams,
    me: Uuid,
) -> AppResult<Dashboard> {
    let mut errors = ParamErrors::default();
    let currency = match p.currency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) if crate::money::is_currency(c) => Some(c.to_owned()),
        Some(c) => errors.take(Err(FieldError::new(
            "currency",
            format!("'{c}' is not an ISO 4217 currency code such as EUR or USD"),
        ))),
        None => None,
    };
    let owner = errors.take(params::owner("owner", p.owner.as_deref(), me)).flatten();
    let now = Utc::now();
    let span = period(
        p.period.as_deref(),
        p.from.as_deref(),
        p.to.as_deref(),
        now,
        &mut errors,
    );
    errors.finish()?;
    let Some((span, closed_since)) = span else {
        return Err(crate::error::AppError::invalid_field("period", "is not a period"));
    };
    // Deals closed up to the end of the period's last day.
    let closed_until = span
        .to
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(now, |t| t.and_utc());
    let settings = crate::settings::service::get(conn, workspace).await?;
    let currency = currency.unwrap_or_else(|| settings.currency.clone());
    let by = OwnerFilter::new(owner);
    let today = Utc::now().date_naive();
    let this_month = month_start(today, 0);
    let year_ago = month_start(today, 11);

    let currencies = store::currencies(conn, workspace, &currency).await?;

    let stage_sums = store::stage_sums(conn, workspace, &currency, by).await?;

    let forecast = store::forecast(conn, workspace, &currency, by).await?;

    let stale_before = Utc::now() - chrono::Duration::days(i64::from(settings.stale_deal_days));
    let closed = store::closed(
        conn,
        workspace,
        &currency,
        (closed_since, closed_until),
        stale_before,
        this_month,
        by,
    )
    .await?;

    let stalled_deals = deals::service::stalled(conn, workspace, stale_before, owner, 10).await?;

    let reach = store::reach(conn, workspace, by).await?;
    let pipelines = pipelines::service::list(conn, workspace).await?;

    let last_12 = revenue::by_month(conn, workspace, &currency, (year_ago, today, today), owner).await?;
    let by_month = if (span.from, span.to) == (year_ago, today) {
        None
    } else {
        Some(revenue::by_month(conn, workspace, &currency, (span.from, span.to, today), owner).await?)
    };
    let by_source = revenue::by_source(conn, workspace, &currency, (span.from, span.to, today), owner).await?;

    let counts = contacts::service::follow_up_counts(conn, workspace, owner).await?;
    let recent = activity::list(conn, workspace, Scope::Workspace(None), Some("10"), None).await?;

    // Pipelines by stage.
    let mut values: Vec<PipelineValue> = Vec::new();
    for s in stage_sums {
        if values.last().is_none_or(|p| p.pipeline_id != s.pipeline_id) {
            values.push(PipelineValue {
                pipeline_id: s.pipeline_id,
                name: s.pipeline_name.clone(),
                stages: Vec::new(),
            });
        }
        if let Some(p) = values.last_mut() {
            p.stages.push(StageValue {
                stage_id: s.stage_id,
                name: s.name,
                kind: StageKind::Open,
                count: s.count,
                value_minor: s.value_minor,
                weighted_minor: s.weighted_minor,
            });
        }
    }
    let open_value_minor = values.iter().flat_map(|p| &p.stages).map(|s| s.value_minor).sum();
    let weighted_value_minor = values.iter().flat_map(|p| &p.stages).map(|s| s.weighted_minor).sum();

    // Conversion: a deal "reached" a stage when it got that far (or further) along the open stages.
    let mut reach_by: HashMap<Uuid, Vec<(i32, i64)>> = HashMap::new();
    for r in reach {
        reach_by.entry(r.pipeline_id).or_default().push((r.furthest, r.deals));
    }
    let conversion = pipelines
        .items
        .iter()
        .map(|p| {
            let counts = reach_by.get(&p.id).cloned().unwrap_or_default();
            let reached = |rank: i32| counts.iter().filter(|(f, _)| *f >= rank).map(|(_, n)| n).sum::<i64>();
            let mut ladder: Vec<(String, i32)> = p
                .stages
                .iter()
                .filter(|s| s.kind == StageKind::Open)
                .map(|s| (s.name.clone(), s.position))
                .collect();
            if let Some(won) = p.stages.iter().find(|s| s.kind == StageKind::Won) {
                ladder.push((won.name.clone(), WON_RANK));
            }
            PipelineConversion {
                pipeline_id: p.id,
                name: p.name.clone(),
                steps: ladder
                    .windows(2)
                    .map(|w| {
                        let (from, to) = (&w[0], &w[1]);
                        let (entered, advanced) = (reached(from.1), reached(to.1));
                        ConversionStep {
                            from_stage: from.0.clone(),
                            to_stage: to.0.clone(),
                            reached: entered,
                            advanced,
                            rate: ratio(advanced, entered),
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    let current_month = format!("{:04}-{:02}", today.year(), today.month());
    let months = |rows: Vec<revenue::Keyed>| -> Vec<MonthAmount> {
        rows.into_iter()
            .map(|k| MonthAmount {
                month: k.key,
                amount_minor: k.amount,
            })
            .collect()
    };
    let last_12 = months(last_12);
    let this_month_minor = last_12
        .iter()
        .filter(|m| m.month == current_month)
        .map(|m| m.amount_minor)
        .sum();
    let last_12_months_minor = last_12.iter().map(|m| m.amount_minor).sum();
    let by_month = by_month.map_or(last_12, months);
    Ok(Dashboard {
        currencies: currencies.into_iter().map(|c| c.currency).collect(),
        open_value_minor,
        weighted_value_minor,
        pipelines: values,
        forecast: forecast
            .into_iter()
            .map(|m| ForecastMonth {
                month: m.month,
                value_minor: m.value_minor,
                weighted_minor: m.weighted_minor,
            })
            .collect(),
        forecast_undated_weighted_minor: closed.undated_weighted,
        stalled: StalledDeals {
            days: settings.stale_deal_days,
            count: closed.stalled,
            deals: stalled_deals,
        },
        win_rate: WinRate {
            won: closed.won,
            lost: closed.lost,
            rate: ratio(closed.won, closed.won + closed.lost),
            average_days_to_win: closed.average_days_to_win.map(|d| (d * 10.0).round() / 10.0),
        },
        conversion,
        revenue: RevenueSummary {
            this_month_minor,
            last_12_months_minor,
            period_minor: by_month.iter().map(|m| m.amount_minor).sum(),
            by_month,
            by_source: by_source
                .into_iter()
                .map(|k| SourceAmount {
                    source: k.key,
                    amount_minor: k.amount,
                })
                .collect(),
        },
        new_leads_this_month: closed.new_leads,
        follow_ups: FollowUpSummary {
            overdue: counts.overdue,
            due_today: (counts.today - counts.overdue).max(0),
        },
        recent_activity: recent.items,
        currency,
        period: span,
    })
}

/// Every card, in order, completed from what was stored: unknown or repeated cards are dropped,
/// missing ones come last, shown.
fn complete(mut layout: DashboardLayout) -> DashboardLayout {
    let mut seen = Vec::new();
    layout.cards.retain(|c| {
        let first = !seen.contains(&c.card);
        seen.push(c.card);
        first
    });
    for card in DashboardCard::ALL {
        if !seen.contains(card) {
            layout.cards.push(LayoutCard {
                card: *card,
                visible: true,
            });
        }
    }
    layout
}

/// The caller's dashboard layout in this workspace (the default one until they arrange it).
pub async fn layout(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> AppResult<DashboardLayout> {
    let stored = store::layout(conn, workspace, user).await?;
    let layout = stored
        .and_then(|v| serde_json::from_value::<DashboardLayout>(v).ok())
        .unwrap_or(DashboardLayout {
            cards: Vec::new(),
            period: PeriodName::Last12Months,
            from: None,
            to: None,
        });
    Ok(complete(layout))
}

/// Keeps the caller's arrangement: each card at most once, and `from`/`to` exactly with `custom`.
pub async fn set_layout(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    input: DashboardLayout,
) -> AppResult<DashboardLayout> {
    let mut errors = ParamErrors::default();
    let mut seen = Vec::new();
    for (i, c) in input.cards.iter().enumerate() {
        if seen.contains(&c.card) {
            errors.push(&format!("cards[{i}].card"), format!("{} is listed twice", c.card));
        }
        seen.push(c.card);
    }
    // The same rules as the dashboard's own `period` parameters.
    let text = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let (from, to) = (text(input.from), text(input.to));
    period(
        Some(input.period.as_str()),
        from.as_deref(),
        to.as_deref(),
        Utc::now(),
        &mut errors,
    );
    errors.finish()?;
    let layout = complete(input);
    let value = serde_json::to_value(&layout).map_err(|e| crate::error::AppError::internal(anyhow::Error::from(e)))?;
    if !store::set_layout(conn, workspace, user, &value).await? {
        return Err(crate::error::AppError::not_found("membership"));
    }
    Ok(layout)
}
