//! Revenue: payments received, plus won deals that have no payment recorded yet (booked on
//! the day they were won; a retainer month by month from then, never in the future).

use chrono::{Datelike, Months, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;

use super::dto::{RevenueGrouping, RevenueParams, RevenueReport, RevenueRow};
use super::store;
pub use super::store::Keyed;
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};
use crate::http::params::{self, ParamErrors};

fn parse_date(errors: &mut ParamErrors, field: &str, raw: Option<&str>) -> Option<NaiveDate> {
    errors.take(params::date(field, raw)).flatten()
}

/// The first day of the month `months_back` months before `day`'s month.
pub fn month_start(day: NaiveDate, months_back: u32) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    first.checked_sub_months(Months::new(months_back)).unwrap_or(first)
}

pub async fn report(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &RevenueParams,
) -> AppResult<RevenueReport> {
    let mut errors = ParamErrors::default();
    let by = errors
        .take(params::choice::<RevenueGrouping>("by", p.by.as_deref()))
        .map(|by| by.unwrap_or(RevenueGrouping::Month));
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
    let groups = store::revenue_groups(conn, workspace, &currency, (from, to, today), contact, by).await?;
    let others = store::other_revenue_currencies(conn, workspace, &currency, (from, to, today)).await?;
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
        other_currencies: others,
    })
}

/// Revenue per month from `from`'s month to `to`'s (won deals counted up to `today`), every month
/// listed; `owner`: everyone's (`None`), nobody's (`Some(None)`) or one member's.
pub async fn by_month(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    days: (NaiveDate, NaiveDate, NaiveDate),
    owner: Option<Option<uuid::Uuid>>,
) -> AppResult<Vec<Keyed>> {
    Ok(store::revenue_by_month(conn, workspace, currency, days, owner).await?)
}

/// Revenue per contact source over the same days, largest first.
pub async fn by_source(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    days: (NaiveDate, NaiveDate, NaiveDate),
    owner: Option<Option<uuid::Uuid>>,
) -> AppResult<Vec<Keyed>> {
    Ok(store::revenue_by_source(conn, workspace, currency, days, owner).await?)
}

/// Moves the revenue that writes appended into the monthly totals; the totals written.
pub async fn fold_totals(conn: &mut AsyncPgConnection) -> AppResult<usize> {
    Ok(store::fold_revenue_totals(conn).await?)
}

/// Removes the monthly totals nothing counts in any more.
pub async fn drop_empty_totals(conn: &mut AsyncPgConnection) -> AppResult<usize> {
    Ok(store::drop_empty_revenue_totals(conn).await?)
}
