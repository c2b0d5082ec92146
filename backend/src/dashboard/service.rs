//! Builds the dashboard from aggregate queries over deals, stages, payments and contacts.

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Date, Double, Int4, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::{
    ConversionStep, Dashboard, DashboardParams, FollowUpSummary, ForecastMonth, MonthAmount, PipelineConversion,
    PipelineValue, RevenueSummary, SourceAmount, StageValue, StalledDeals, WinRate,
};
use crate::activity::service::{self as activity, Scope};
use crate::contacts;
use crate::deals;
use crate::error::{AppError, AppResult};
use crate::payments::revenue::{EVENTS_SQL, month_start};
use crate::pipelines;
use crate::pipelines::dto::StageKind;

type SqlUuid = diesel::sql_types::Uuid;

/// The rank a won stage counts as in conversion: past every open stage.
const WON_RANK: i32 = 1_000_000;

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    currency: String,
}

#[derive(QueryableByName)]
struct StageRowSum {
    #[diesel(sql_type = SqlUuid)]
    pipeline_id: Uuid,
    #[diesel(sql_type = Text)]
    pipeline_name: String,
    #[diesel(sql_type = SqlUuid)]
    stage_id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
    #[diesel(sql_type = BigInt)]
    value_minor: i64,
    #[diesel(sql_type = BigInt)]
    weighted_minor: i64,
}

#[derive(QueryableByName)]
struct Month {
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = BigInt)]
    value_minor: i64,
    #[diesel(sql_type = BigInt)]
    weighted_minor: i64,
}

#[derive(QueryableByName)]
struct Closed {
    #[diesel(sql_type = BigInt)]
    won: i64,
    #[diesel(sql_type = BigInt)]
    lost: i64,
    #[diesel(sql_type = Nullable<Double>)]
    average_days_to_win: Option<f64>,
    #[diesel(sql_type = BigInt)]
    undated_weighted: i64,
    #[diesel(sql_type = BigInt)]
    stalled: i64,
    #[diesel(sql_type = BigInt)]
    new_leads: i64,
}

#[derive(QueryableByName)]
struct Reach {
    #[diesel(sql_type = SqlUuid)]
    pipeline_id: Uuid,
    #[diesel(sql_type = Int4)]
    furthest: i32,
    #[diesel(sql_type = BigInt)]
    deals: i64,
}

#[derive(QueryableByName)]
struct Keyed {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    amount: i64,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: Uuid, p: &DashboardParams) -> AppResult<Dashboard> {
    let settings = crate::settings::service::get(conn, workspace).await?;
    let currency = match p.currency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) if crate::money::is_currency(c) => c.to_owned(),
        Some(c) => {
            return Err(AppError::invalid_field(
                "currency",
                format!("'{c}' is not an ISO 4217 currency code such as EUR or USD"),
            ));
        }
        None => settings.currency.clone(),
    };
    let today = Utc::now().date_naive();
    let this_month = month_start(today, 0);
    let year_ago = month_start(today, 11);

    let currencies: Vec<Code> = diesel::sql_query(
        "SELECT currency FROM deals WHERE workspace_id = $1 AND deleted_at IS NULL \
         UNION SELECT currency FROM payments WHERE workspace_id = $1 \
         UNION SELECT $2 ORDER BY 1",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(&currency)
    .load(conn)
    .await?;

    let stage_sums: Vec<StageRowSum> = diesel::sql_query(
        "SELECT s.pipeline_id, p.name AS pipeline_name, s.id AS stage_id, s.name, count(d.id)::bigint AS count, \
                coalesce(sum(d.value_minor * coalesce(d.recurring_months, 1)), 0)::bigint AS value_minor, \
                coalesce(sum(round(d.value_minor * coalesce(d.recurring_months, 1) \
                    * coalesce(d.probability, s.probability) / 100.0)), 0)::bigint AS weighted_minor \
         FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id \
         LEFT JOIN deals d ON d.stage_id = s.id AND d.deleted_at IS NULL AND d.currency = $2 \
         WHERE s.workspace_id = $1 AND s.kind = 'open' \
         GROUP BY p.position, p.id, p.name, s.pipeline_id, s.position, s.id, s.name \
         ORDER BY p.position, p.id, s.position, s.id",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(&currency)
    .load(conn)
    .await?;

    let forecast: Vec<Month> = diesel::sql_query(
        "WITH months AS ( \
           SELECT generate_series(date_trunc('month', current_date::timestamp), \
                  date_trunc('month', current_date::timestamp) + interval '11 months', interval '1 month') AS m), \
         spread AS ( \
           SELECT greatest(date_trunc('month', d.expected_close_date::timestamp), \
                           date_trunc('month', current_date::timestamp)) + make_interval(months => n.n) AS m, \
                  d.value_minor AS value, \
                  round(d.value_minor * coalesce(d.probability, s.probability) / 100.0) AS weighted \
           FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id \
           CROSS JOIN LATERAL generate_series(0, coalesce(d.recurring_months, 1) - 1) AS n(n) \
           WHERE d.workspace_id = $1 AND d.currency = $2 AND d.status = 'open' AND d.deleted_at IS NULL \
             AND d.expected_close_date IS NOT NULL), \
         per_month AS ( \
           SELECT m, sum(value) AS value, sum(weighted) AS weighted FROM spread \
           WHERE m < date_trunc('month', current_date::timestamp) + interval '12 months' GROUP BY m) \
         SELECT to_char(months.m, 'YYYY-MM') AS month, coalesce(per_month.value, 0)::bigint AS value_minor, \
                coalesce(per_month.weighted, 0)::bigint AS weighted_minor \
         FROM months LEFT JOIN per_month ON per_month.m = months.m ORDER BY months.m",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(&currency)
    .load(conn)
    .await?;

    let stale_before = Utc::now() - chrono::Duration::days(i64::from(settings.stale_deal_days));
    let closed: Closed = diesel::sql_query(
        "SELECT \
           (SELECT count(*) FROM deals WHERE workspace_id = $1 AND deleted_at IS NULL AND status = 'won' \
              AND closed_at >= $3)::bigint AS won, \
           (SELECT count(*) FROM deals WHERE workspace_id = $1 AND deleted_at IS NULL AND status = 'lost' \
              AND closed_at >= $3)::bigint AS lost, \
           (SELECT avg(extract(epoch FROM closed_at - created_at) / 86400.0) FROM deals \
              WHERE workspace_id = $1 AND deleted_at IS NULL AND status = 'won' AND closed_at >= $3)::float8 \
              AS average_days_to_win, \
           (SELECT coalesce(sum(round(d.value_minor * coalesce(d.recurring_months, 1) \
                    * coalesce(d.probability, s.probability) / 100.0)), 0) \
              FROM deals d JOIN pipeline_stages s ON s.id = d.stage_id \
              WHERE d.workspace_id = $1 AND d.deleted_at IS NULL AND d.status = 'open' AND d.currency = $2 \
                AND d.expected_close_date IS NULL)::bigint AS undated_weighted, \
           (SELECT count(*) FROM deals WHERE workspace_id = $1 AND deleted_at IS NULL AND status = 'open' \
              AND stage_changed_at < $4)::bigint AS stalled, \
           (SELECT count(*) FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL \
              AND created_at >= $5)::bigint AS new_leads",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(&currency)
    .bind::<diesel::sql_types::Timestamptz, _>(Utc::now() - chrono::Duration::days(365))
    .bind::<diesel::sql_types::Timestamptz, _>(stale_before)
    .bind::<Date, _>(this_month)
    .get_result(conn)
    .await?;

    let stalled_deals = deals::service::stalled(conn, workspace, stale_before, 10).await?;

    let reach: Vec<Reach> = diesel::sql_query(format!(
        "SELECT pipeline_id, furthest, count(*)::bigint AS deals FROM ( \
           SELECT d.pipeline_id, d.id, max(CASE WHEN s.kind = 'won' THEN {WON_RANK} ELSE s.position END) AS furthest \
           FROM deals d JOIN deal_stage_history h ON h.deal_id = d.id \
           JOIN pipeline_stages s ON s.id = h.to_stage_id AND s.pipeline_id = d.pipeline_id AND s.kind <> 'lost' \
           WHERE d.workspace_id = $1 AND d.deleted_at IS NULL \
           GROUP BY d.pipeline_id, d.id) t \
         GROUP BY pipeline_id, furthest"
    ))
    .bind::<SqlUuid, _>(workspace)
    .load(conn)
    .await?;
    let pipelines = pipelines::service::list(conn, workspace).await?;

    let by_month: Vec<Keyed> = diesel::sql_query(format!(
        "WITH e AS ({EVENTS_SQL}) \
         SELECT to_char(m, 'YYYY-MM') AS key, coalesce(sum(e.amount), 0)::bigint AS amount \
         FROM generate_series($3::timestamp, $4::timestamp, interval '1 month') AS m \
         LEFT JOIN e ON date_trunc('month', e.day::timestamp) = m GROUP BY m ORDER BY m"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(&currency)
    .bind::<Date, _>(year_ago)
    .bind::<Date, _>(today)
    .bind::<Nullable<SqlUuid>, _>(None::<Uuid>)
    .load(conn)
    .await?;
    let by_source: Vec<Keyed> = diesel::sql_query(format!(
        // Summed per contact first, then each contact's source looked up by key: joining the
        // events to the contacts made PostgreSQL hash the whole contacts table.
        "WITH e AS ({EVENTS_SQL}), \
              t AS (SELECT contact_id, sum(amount) AS amount FROM e GROUP BY contact_id) \
         SELECT coalesce((SELECT c.source FROM contacts c WHERE c.id = t.contact_id), 'unknown') AS key, \
                sum(t.amount)::bigint AS amount \
         FROM t GROUP BY 1 ORDER BY 2 DESC, 1"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(&currency)
    .bind::<Date, _>(year_ago)
    .bind::<Date, _>(today)
    .bind::<Nullable<SqlUuid>, _>(None::<Uuid>)
    .load(conn)
    .await?;

    let counts = contacts::service::follow_up_counts(conn, workspace, None).await?;
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
    let by_month: Vec<MonthAmount> = by_month
        .into_iter()
        .map(|k| MonthAmount {
            month: k.key,
            amount_minor: k.amount,
        })
        .collect();
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
            this_month_minor: by_month
                .iter()
                .filter(|m| m.month == current_month)
                .map(|m| m.amount_minor)
                .sum(),
            last_12_months_minor: by_month.iter().map(|m| m.amount_minor).sum(),
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
    })
}
