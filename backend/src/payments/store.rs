//! Payment rows and their SQL, and the revenue report's queries.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::RevenueGrouping;
use crate::db::WorkspaceId;
use crate::db::keyset::{Sort, SortValue};
use crate::db::schema::payments;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments, check_for_backend(Pg))]
pub struct PaymentRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub amount_minor: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = payments)]
pub struct PaymentChangeset {
    pub deal_id: Option<Option<Uuid>>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub note: Option<Option<String>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &PaymentRow) -> QueryResult<()> {
    diesel::insert_into(payments::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<PaymentRow>> {
    payments::table
        .filter(payments::workspace_id.eq(workspace).and(payments::id.eq(id)))
        .select(PaymentRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Option<Uuid>,
    deal: Option<Uuid>,
    sort: &Sort,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<PaymentRow>> {
    let mut query = payments::table
        .filter(payments::workspace_id.eq(workspace))
        .select(PaymentRow::as_select())
        .into_boxed();
    if let Some(c) = contact {
        query = query.filter(payments::contact_id.eq(c));
    }
    if let Some(d) = deal {
        query = query.filter(payments::deal_id.eq(d));
    }
    if let Some((value, id)) = after {
        query = query.filter(sort.condition("payments.id", value, *id));
    }
    query
        .order(sql::<Text>(&sort.order_sql("payments.id")))
        .limit(limit + 1)
        .load(conn)
        .await
}

crate::versioned_writes!(payments, PaymentRow, PaymentChangeset);

// --- revenue ---

/// The days of a period one kind of revenue counts (`first..=last`), split into the whole months
/// read from the kept monthly totals (`whole_from..whole_until`, first days of months) and the
/// days before and after them read from the entries (`first..head_until`, `tail_from..=last`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthSplit {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub whole_from: NaiveDate,
    pub whole_until: NaiveDate,
    pub head_until: NaiveDate,
    pub tail_from: NaiveDate,
}

impl MonthSplit {
    pub fn new(first: NaiveDate, last: NaiveDate) -> Self {
        let month_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
        let after_last = last.succ_opt().unwrap_or(last);
        // The first month starting on or after `first`, and the month after the last whole one.
        let whole_from = if first.day() == 1 {
            first
        } else {
            month_of(first).checked_add_months(Months::new(1)).unwrap_or(first)
        };
        let whole_until = month_of(after_last);
        if whole_from < whole_until {
            Self {
                first,
                last,
                whole_from,
                whole_until,
                head_until: whole_from,
                tail_from: whole_until,
            }
        } else {
            // No whole month: every day from the entries, once.
            Self {
                first,
                last,
                whole_from: whole_until,
                whole_until,
                head_until: after_last,
                tail_from: after_last,
            }
        }
    }
}

/// The revenue of a period, in rows `(contact_id, month, source, kind, amount, entries)`, of
/// workspace `$1` in currency `$2`; when `$3` is true only that of owner `$4` (NULL: nobody's) —
/// a payment belongs to its deal's owner, or to its contact's when it has no deal; a won deal to
/// the deal's owner. Payments count from `$5` to `$6`, won deals (and a retainer's months) from
/// `$11` to `$12`, never after today.
///
/// With `kept`, whole months are read from the monthly totals and their changes not yet folded
/// (`contact_id` is then null) and only the days outside them from the entries (`$7..$10` and
/// `$13..$16`: each kind's [`MonthSplit`]); otherwise every entry of the period, optionally of
/// contact `$17` only.
fn revenue_rows(kept: bool) -> String {
    let owner = "(NOT $3::bool OR r.owner_id IS NOT DISTINCT FROM $4::uuid)";
    let entries = |kind: &str, lo: &str, hi: &str, extra: &str| {
        format!(
            "SELECT r.contact_id, date_trunc('month', r.day)::date AS month, r.source, r.kind, \
                    r.amount_minor AS amount, 1::bigint AS entries \
             FROM revenue_entries r \
             WHERE r.workspace_id = $1 AND r.currency = $2 AND r.kind = '{kind}' AND {owner} \
               AND r.day >= {lo}::date AND r.day {hi} {extra}"
        )
    };
    let per_kind = |kind: &str, p: usize| {
        if !kept {
            return entries(
                kind,
                &format!("${p}"),
                &format!("<= ${}::date", p + 1),
                "AND ($17::uuid IS NULL OR r.contact_id = $17::uuid)",
            );
        }
        let months = |table: &str| {
            format!(
                "SELECT NULL::uuid, r.month, r.source, r.kind, r.amount_minor, r.entries FROM {table} r \
                 WHERE r.workspace_id = $1 AND r.currency = $2 AND r.kind = '{kind}' AND {owner} \
                   AND r.month >= ${w}::date AND r.month < ${u}::date",
                w = p + 2,
                u = p + 3
            )
        };
        format!(
            "{head} UNION ALL {totals} UNION ALL {changes} UNION ALL {tail}",
            head = entries(kind, &format!("${p}"), &format!("< ${}::date", p + 4), ""),
            totals = months("revenue_month_totals"),
            changes = months("revenue_month_changes"),
            tail = entries(kind, &format!("${}", p + 5), &format!("<= ${}::date", p + 1), ""),
        )
    };
    format!("{} UNION ALL {}", per_kind("payment", 5), per_kind("deal", 11))
}

/// A query over [`revenue_rows`] with its parameters bound.
fn revenue_query(
    sql: String,
    workspace: WorkspaceId,
    currency: &str,
    owner: Option<Option<Uuid>>,
    (payments, deals): (MonthSplit, MonthSplit),
    contact: Option<Uuid>,
) -> diesel::query_builder::BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
    let mut q = diesel::sql_query(sql)
        .into_boxed()
        .bind::<diesel::sql_types::Uuid, _>(workspace)
        .bind::<Text, _>(currency.to_owned())
        .bind::<Bool, _>(owner.is_some())
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(owner.flatten());
    for s in [payments, deals] {
        q = q
            .bind::<Date, _>(s.first)
            .bind::<Date, _>(s.last)
            .bind::<Date, _>(s.whole_from)
            .bind::<Date, _>(s.whole_until)
            .bind::<Date, _>(s.head_until)
            .bind::<Date, _>(s.tail_from);
    }
    q.bind::<Nullable<diesel::sql_types::Uuid>, _>(contact)
}

/// The splits of a period from `from` to `to` for payments and for won deals (up to `today`).
pub fn revenue_period(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> (MonthSplit, MonthSplit) {
    (MonthSplit::new(from, to), MonthSplit::new(from, to.min(today)))
}

#[derive(QueryableByName)]
pub struct Keyed {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

/// Revenue per month from `from`'s month to `to`'s, every month listed; `owner` as in
/// [`revenue_rows`] (`None`: everyone's).
pub async fn revenue_by_month(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    (from, to, today): (NaiveDate, NaiveDate, NaiveDate),
    owner: Option<Option<Uuid>>,
) -> QueryResult<Vec<Keyed>> {
    let sql = format!(
        "WITH r AS ({rows}), per_month AS (SELECT month, sum(amount) AS amount FROM r GROUP BY 1) \
         SELECT to_char(g.m, 'YYYY-MM') AS key, coalesce(p.amount, 0)::bigint AS amount \
         FROM generate_series(date_trunc('month', $5::date), $6::date, interval '1 month') AS g(m) \
         LEFT JOIN per_month p ON p.month = g.m ORDER BY g.m",
        rows = revenue_rows(true)
    );
    revenue_query(sql, workspace, currency, owner, revenue_period(from, to, today), None)
        .load(conn)
        .await
}

/// Revenue per contact source (`unknown` without a contact or a source), largest first.
pub async fn revenue_by_source(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    (from, to, today): (NaiveDate, NaiveDate, NaiveDate),
    owner: Option<Option<Uuid>>,
) -> QueryResult<Vec<Keyed>> {
    let sql = format!(
        "WITH r AS ({rows}) \
         SELECT source AS key, sum(amount)::bigint AS amount FROM r \
         GROUP BY 1 HAVING sum(entries) <> 0 ORDER BY 2 DESC, 1",
        rows = revenue_rows(true)
    );
    revenue_query(sql, workspace, currency, owner, revenue_period(from, to, today), None)
        .load(conn)
        .await
}

#[derive(QueryableByName)]
pub struct Group {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = BigInt)]
    pub payments: i64,
    #[diesel(sql_type = BigInt)]
    pub deals: i64,
}

/// Revenue of the workspace in one currency between two days, grouped by month, contact or
/// source; one contact's only when `contact` is given.
pub async fn revenue_groups(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    (from, to, today): (NaiveDate, NaiveDate, NaiveDate),
    contact: Option<Uuid>,
    by: RevenueGrouping,
) -> QueryResult<Vec<Group>> {
    // One contact's revenue, and revenue per contact, come from the entries themselves.
    let rows = revenue_rows(contact.is_none() && by != RevenueGrouping::Contact);
    let grouped = match by {
        RevenueGrouping::Month => format!(
            "WITH r AS ({rows}), \
             per_month AS (SELECT month AS m, \
                    sum(amount) FILTER (WHERE kind = 'payment') AS payments, \
                    sum(amount) FILTER (WHERE kind = 'deal') AS deals FROM r GROUP BY 1) \
             SELECT to_char(g.m, 'YYYY-MM') AS key, to_char(g.m, 'Mon YYYY') AS label, \
                    coalesce(p.payments, 0)::bigint AS payments, coalesce(p.deals, 0)::bigint AS deals \
             FROM generate_series(date_trunc('month', $5::date), $6::date, interval '1 month') AS g(m) \
             LEFT JOIN per_month p ON p.m = g.m ORDER BY g.m"
        ),
        RevenueGrouping::Contact => format!(
            // The top hundred are chosen before their names are looked up, by primary key.
            "WITH r AS ({rows}), \
             top AS (SELECT contact_id, \
                    coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0)::bigint AS payments, \
                    coalesce(sum(amount) FILTER (WHERE kind = 'deal'), 0)::bigint AS deals, \
                    sum(amount) AS total \
                    FROM r WHERE contact_id IS NOT NULL GROUP BY contact_id \
                    ORDER BY sum(amount) DESC, contact_id::text LIMIT 100) \
             SELECT top.contact_id::text AS key, \
                    coalesce((SELECT trim(c.first_name || ' ' || c.last_name) FROM contacts c WHERE c.id = top.contact_id), \
                             'Deleted contact') AS label, \
                    top.payments, top.deals \
             FROM top ORDER BY top.total DESC, 1"
        ),
        RevenueGrouping::Source => format!(
            "WITH r AS ({rows}) \
             SELECT source AS key, source AS label, \
                    coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0)::bigint AS payments, \
                    coalesce(sum(amount) FILTER (WHERE kind = 'deal'), 0)::bigint AS deals \
             FROM r GROUP BY 1 HAVING sum(entries) <> 0 ORDER BY sum(amount) DESC, 1 LIMIT 100"
        ),
    };
    revenue_query(
        grouped,
        workspace,
        currency,
        None,
        revenue_period(from, to, today),
        contact,
    )
    .load(conn)
    .await
}

/// Moves the revenue changes that writes appended into the monthly totals (rows locked in key
/// order); the number of totals written.
pub async fn fold_revenue_totals(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH moved AS (DELETE FROM revenue_month_changes RETURNING *), \
              summed AS (SELECT workspace_id, currency, month, owner_id, source, kind, \
                                sum(amount_minor)::bigint AS amount_minor, sum(entries)::bigint AS entries \
                         FROM moved GROUP BY 1, 2, 3, 4, 5, 6) \
         INSERT INTO revenue_month_totals AS t \
         SELECT * FROM summed WHERE amount_minor <> 0 OR entries <> 0 ORDER BY 1, 2, 3, 4, 5, 6 \
         ON CONFLICT ON CONSTRAINT revenue_month_totals_key DO UPDATE \
         SET amount_minor = t.amount_minor + excluded.amount_minor, entries = t.entries + excluded.entries",
    )
    .execute(conn)
    .await
}

/// Removes the monthly revenue totals no payment or won deal counts in any more.
pub async fn drop_empty_revenue_totals(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM revenue_month_totals WHERE entries = 0 AND amount_minor = 0")
        .execute(conn)
        .await
}

/// Currencies other than `currency` that have revenue between `from` and `to` (won deals up to
/// `today`), from the same entries the report sums.
pub async fn other_revenue_currencies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    (from, to, today): (NaiveDate, NaiveDate, NaiveDate),
) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Code {
        #[diesel(sql_type = Text)]
        currency: String,
    }
    let codes: Vec<Code> = diesel::sql_query(
        "SELECT DISTINCT currency FROM revenue_entries \
         WHERE workspace_id = $1 AND currency <> $2 AND day >= $3 \
           AND day <= CASE kind WHEN 'deal' THEN least($4, $5) ELSE $4 END \
         ORDER BY currency",
    )
    .bind::<diesel::sql_types::Uuid, _>(workspace)
    .bind::<Text, _>(currency)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Date, _>(today)
    .load(conn)
    .await?;
    Ok(codes.into_iter().map(|c| c.currency).collect())
}

#[cfg(test)]
mod tests {
    use super::MonthSplit;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The days a split reads from the entries, and the whole months from the totals.
    fn parts(s: MonthSplit) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
        let mut entries = Vec::new();
        let mut d = s.first;
        while d <= s.last {
            if d < s.head_until || d >= s.tail_from {
                entries.push(d);
            }
            d = d.succ_opt().unwrap();
        }
        let mut months = Vec::new();
        let mut m = s.whole_from;
        while m < s.whole_until {
            months.push(m);
            m = m.checked_add_months(chrono::Months::new(1)).unwrap();
        }
        (entries, months)
    }

    #[test]
    fn a_period_is_whole_months_and_the_days_around_them() {
        // Mid-month to mid-month: the days of the first and last months, the months between.
        let (entries, months) = parts(MonthSplit::new(day(2026, 1, 20), day(2026, 4, 3)));
        assert_eq!(months, [day(2026, 2, 1), day(2026, 3, 1)]);
        assert_eq!(entries.len(), 12 + 3);
        assert_eq!(
            (entries[0], entries[11], entries[12]),
            (day(2026, 1, 20), day(2026, 1, 31), day(2026, 4, 1))
        );
        // Whole months from the first to the last day of February (a leap year's 29th).
        let (entries, months) = parts(MonthSplit::new(day(2028, 1, 1), day(2028, 2, 29)));
        assert_eq!((entries.len(), months), (0, vec![day(2028, 1, 1), day(2028, 2, 1)]));
        // Within one month, or across one month's end without a whole month: every day once.
        for (first, last, n) in [
            (day(2026, 5, 3), day(2026, 5, 20), 18),
            (day(2026, 5, 20), day(2026, 6, 10), 22),
            (day(2026, 5, 1), day(2026, 5, 30), 30),
            (day(2026, 12, 31), day(2026, 12, 31), 1),
        ] {
            let (entries, months) = parts(MonthSplit::new(first, last));
            assert_eq!((entries.len(), months.len()), (n, 0), "{first}..{last}");
        }
        // A period that ends before it starts (won deals of a period still to come): nothing.
        let (entries, months) = parts(MonthSplit::new(day(2026, 7, 10), day(2026, 6, 30)));
        assert!(entries.is_empty() && months.is_empty());
        // Across a year's end.
        let (entries, months) = parts(MonthSplit::new(day(2026, 11, 15), day(2027, 2, 28)));
        assert_eq!(months, [day(2026, 12, 1), day(2027, 1, 1), day(2027, 2, 1)]);
        assert_eq!(entries.len(), 16);
    }
}
