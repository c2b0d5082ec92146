//! Revenue: payments received, plus won deals that have no payment recorded yet (booked on
//! the day they were won; a retainer month by month from then, never in the future).

use chrono::{Datelike, Months, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::{RevenueGrouping, RevenueParams, RevenueReport, RevenueRow};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::params::ParamErrors;

/// Revenue events `(contact_id, day, amount, kind)` of workspace `$1` in currency `$2`
/// between `$3` and `$4` (inclusive); `$5` optionally restricts them to one contact.
pub const EVENTS_SQL: &str = "\
    SELECT p.contact_id, p.received_on AS day, p.amount_minor AS amount, 'payment' AS kind \
    FROM payments p \
    WHERE p.workspace_id = $1 AND p.currency = $2 AND p.received_on BETWEEN $3 AND $4 \
      AND ($5::uuid IS NULL OR p.contact_id = $5) \
    UNION ALL \
    SELECT d.contact_id, e.day, d.value_minor, 'deal' \
    FROM deals d \
    CROSS JOIN LATERAL generate_series(0, coalesce(d.recurring_months, 1) - 1) AS m(n) \
    CROSS JOIN LATERAL (SELECT (d.closed_at::date + make_interval(months => m.n))::date AS day) e \
    WHERE d.workspace_id = $1 AND d.currency = $2 AND d.status = 'won' AND d.deleted_at IS NULL \
      AND e.day BETWEEN $3 AND least($4, current_date) \
      AND ($5::uuid IS NULL OR d.contact_id = $5) \
      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.deal_id = d.id)";

#[derive(QueryableByName)]
struct Group {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = BigInt)]
    payments: i64,
    #[diesel(sql_type = BigInt)]
    deals: i64,
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    currency: String,
}

fn parse_date(errors: &mut ParamErrors, field: &str, raw: Option<&str>) -> Option<NaiveDate> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    errors.take(
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| FieldError::new(field, "must be a date like 2026-11-30")),
    )
}

/// The first day of the month `months_back` months before `day`'s month.
pub fn month_start(day: NaiveDate, months_back: u32) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    first.checked_sub_months(Months::new(months_back)).unwrap_or(first)
}

pub async fn report(conn: &mut AsyncPgConnection, workspace: Uuid, p: &RevenueParams) -> AppResult<RevenueReport> {
    let mut errors = ParamErrors::default();
    let by = match p.by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => errors.take(s.parse::<RevenueGrouping>().map_err(|m| FieldError::new("by", m))),
        None => Some(RevenueGrouping::Month),
    };
    let today = Utc::now().date_naive();
    let from = parse_date(&mut errors, "from", p.from.as_deref()).unwrap_or_else(|| month_start(today, 11));
    let to = parse_date(&mut errors, "to", p.to.as_deref()).unwrap_or(today);
    if from > to {
        errors.push("from", "must not be after `to`");
    }
    if (to - from).num_days() > 366 * 10 {
        errors.push("from", "the range may span at most ten years");
    }
    let currency = p
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if let Some(c) = currency.as_deref().filter(|c| !crate::money::is_currency(c)) {
        errors.push(
            "currency",
            format!("'{c}' is not an ISO 4217 currency code such as EUR or USD"),
        );
    }
    let contact = errors
        .take(crate::http::params::uuid("contact_id", p.contact_id.as_deref()))
        .flatten();
    errors.finish()?;
    let by = by.ok_or_else(|| AppError::internal(anyhow::anyhow!("validated grouping missing")))?;
    let currency = match currency {
        Some(c) => c,
        None => crate::settings::service::get(conn, workspace).await?.currency,
    };
    let grouped = match by {
        RevenueGrouping::Month => format!(
            "WITH e AS ({EVENTS_SQL}), \
             per_month AS (SELECT date_trunc('month', e.day) AS m, \
                    sum(e.amount) FILTER (WHERE e.kind = 'payment') AS payments, \
                    sum(e.amount) FILTER (WHERE e.kind = 'deal') AS deals FROM e GROUP BY 1) \
             SELECT to_char(g.m, 'YYYY-MM') AS key, to_char(g.m, 'Mon YYYY') AS label, \
                    coalesce(p.payments, 0)::bigint AS payments, coalesce(p.deals, 0)::bigint AS deals \
             FROM generate_series(date_trunc('month', $3::date), $4::date, interval '1 month') AS g(m) \
             LEFT JOIN per_month p ON p.m = g.m ORDER BY g.m"
        ),
        RevenueGrouping::Contact => format!(
            // The top hundred are chosen before their names are looked up, by primary key.
            "WITH e AS ({EVENTS_SQL}), \
             top AS (SELECT e.contact_id, \
                    coalesce(sum(e.amount) FILTER (WHERE e.kind = 'payment'), 0)::bigint AS payments, \
                    coalesce(sum(e.amount) FILTER (WHERE e.kind = 'deal'), 0)::bigint AS deals, \
                    sum(e.amount) AS total \
                    FROM e WHERE e.contact_id IS NOT NULL GROUP BY e.contact_id \
                    ORDER BY sum(e.amount) DESC, e.contact_id::text LIMIT 100) \
             SELECT top.contact_id::text AS key, \
                    coalesce((SELECT trim(c.first_name || ' ' || c.last_name) FROM contacts c WHERE c.id = top.contact_id), \
                             'Deleted contact') AS label, \
                    top.payments, top.deals \
             FROM top ORDER BY top.total DESC, 1"
        ),
        RevenueGrouping::Source => format!(
            // Each event's source by primary key: a lookup per event beats hashing every contact.
            "WITH e AS ({EVENTS_SQL}), \
             s AS (SELECT coalesce((SELECT c.source FROM contacts c WHERE c.id = e.contact_id), 'unknown') AS source, \
                          e.amount, e.kind FROM e) \
             SELECT s.source AS key, s.source AS label, \
                    coalesce(sum(s.amount) FILTER (WHERE s.kind = 'payment'), 0)::bigint AS payments, \
                    coalesce(sum(s.amount) FILTER (WHERE s.kind = 'deal'), 0)::bigint AS deals \
             FROM s GROUP BY 1 ORDER BY sum(s.amount) DESC, 1 LIMIT 100"
        ),
    };
    let groups: Vec<Group> = diesel::sql_query(grouped)
        .bind::<diesel::sql_types::Uuid, _>(workspace)
        .bind::<Text, _>(&currency)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(contact)
        .load(conn)
        .await?;
    let others: Vec<Code> = diesel::sql_query(
        "SELECT DISTINCT currency FROM ( \
           SELECT currency FROM payments WHERE workspace_id = $1 AND received_on BETWEEN $3 AND $4 \
           UNION SELECT currency FROM deals WHERE workspace_id = $1 AND status = 'won' AND deleted_at IS NULL \
             AND closed_at::date BETWEEN $3 AND $4) c \
         WHERE currency <> $2 ORDER BY currency",
    )
    .bind::<diesel::sql_types::Uuid, _>(workspace)
    .bind::<Text, _>(&currency)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await?;
    let rows: Vec<RevenueRow> = groups
        .into_iter()
        .map(|g| RevenueRow {
            key: g.key,
            label: g.label,
            amount_minor: g.payments + g.deals,
            payments_minor: g.payments,
            won_deals_minor: g.deals,
        })
        .collect();
    Ok(RevenueReport {
        total_minor: rows.iter().map(|r| r.amount_minor).sum(),
        currency,
        by,
        from,
        to,
        rows,
        other_currencies: others.into_iter().map(|c| c.currency).collect(),
    })
}
