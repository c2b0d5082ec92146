//! Payment rows and their SQL, and the revenue report's queries.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
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

/// Revenue events `(contact_id, day, amount, kind)` of workspace `$1` in currency `$2`
/// between `$3` and `$4` (inclusive); `$5` optionally restricts them to one contact; when `$6` is
/// true, only those of owner `$7` (NULL: nobody's) — a payment belongs to its deal's owner, or to
/// its contact's when it has no deal; a won deal to the deal's owner.
pub const EVENTS_SQL: &str = "\
    SELECT p.contact_id, p.received_on AS day, p.amount_minor AS amount, 'payment' AS kind \
    FROM payments p \
    WHERE p.workspace_id = $1 AND p.currency = $2 AND p.received_on BETWEEN $3 AND $4 \
      AND ($5::uuid IS NULL OR p.contact_id = $5) \
      AND (NOT $6::bool OR (CASE WHEN p.deal_id IS NOT NULL \
                                 THEN (SELECT od.owner_id FROM deals od WHERE od.id = p.deal_id) \
                                 ELSE (SELECT oc.owner_id FROM contacts oc WHERE oc.id = p.contact_id) END) \
                           IS NOT DISTINCT FROM $7::uuid) \
    UNION ALL \
    SELECT d.contact_id, e.day, d.value_minor, 'deal' \
    FROM deals d \
    CROSS JOIN LATERAL generate_series(0, coalesce(d.recurring_months, 1) - 1) AS m(n) \
    CROSS JOIN LATERAL (SELECT (d.closed_at::date + make_interval(months => m.n))::date AS day) e \
    WHERE d.workspace_id = $1 AND d.currency = $2 AND d.status = 'won' AND d.deleted_at IS NULL \
      AND e.day BETWEEN $3 AND least($4, current_date) \
      AND ($5::uuid IS NULL OR d.contact_id = $5) \
      AND (NOT $6::bool OR d.owner_id IS NOT DISTINCT FROM $7::uuid) \
      AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.deal_id = d.id)";

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

/// Revenue of the workspace in one currency between two days, grouped by month, contact or source.
pub async fn revenue_groups(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    from: NaiveDate,
    to: NaiveDate,
    contact: Option<Uuid>,
    by: RevenueGrouping,
) -> QueryResult<Vec<Group>> {
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
    diesel::sql_query(grouped)
        .bind::<diesel::sql_types::Uuid, _>(workspace)
        .bind::<Text, _>(currency)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(contact)
        .bind::<diesel::sql_types::Bool, _>(false)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(None::<Uuid>)
        .load(conn)
        .await
}

/// Currencies other than `currency` that have revenue between `from` and `to`.
pub async fn other_revenue_currencies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Code {
        #[diesel(sql_type = Text)]
        currency: String,
    }
    let codes: Vec<Code> = diesel::sql_query(
        "SELECT DISTINCT currency FROM ( \
           SELECT currency FROM payments WHERE workspace_id = $1 AND received_on BETWEEN $3 AND $4 \
           UNION SELECT currency FROM deals WHERE workspace_id = $1 AND status = 'won' AND deleted_at IS NULL \
             AND closed_at::date BETWEEN $3 AND $4) c \
         WHERE currency <> $2 ORDER BY currency",
    )
    .bind::<diesel::sql_types::Uuid, _>(workspace)
    .bind::<Text, _>(currency)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await?;
    Ok(codes.into_iter().map(|c| c.currency).collect())
}
