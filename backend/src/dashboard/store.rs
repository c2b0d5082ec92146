//! The dashboard's aggregate queries over deals, stages, payments and contacts.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Bool, Date, Double, Int4, Nullable, Text, Timestamptz};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::db::schema::memberships;
use crate::deals::store::STAGE_TOTALS_SQL;

type SqlUuid = diesel::sql_types::Uuid;

/// Whose deals and contacts the figures count: everyone's, one member's, or nobody's.
/// Bound as two parameters — `on` and the owner — that each query compares with
/// `(NOT on OR owner_id IS NOT DISTINCT FROM owner)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct OwnerFilter {
    on: bool,
    owner: Option<Uuid>,
}

impl OwnerFilter {
    /// `None`: everyone's; `Some(None)`: nobody's; `Some(Some(id))`: that member's.
    pub fn new(owner: Option<Option<Uuid>>) -> Self {
        Self {
            on: owner.is_some(),
            owner: owner.flatten(),
        }
    }
}

/// The rank a won stage counts as in conversion: past every open stage.
pub const WON_RANK: i32 = 1_000_000;

#[derive(QueryableByName)]
pub struct Code {
    #[diesel(sql_type = Text)]
    pub currency: String,
}

#[derive(QueryableByName)]
pub struct StageRowSum {
    #[diesel(sql_type = SqlUuid)]
    pub pipeline_id: Uuid,
    #[diesel(sql_type = Text)]
    pub pipeline_name: String,
    #[diesel(sql_type = SqlUuid)]
    pub stage_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    #[diesel(sql_type = BigInt)]
    pub value_minor: i64,
    #[diesel(sql_type = BigInt)]
    pub weighted_minor: i64,
}

#[derive(QueryableByName)]
pub struct Month {
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = BigInt)]
    pub value_minor: i64,
    #[diesel(sql_type = BigInt)]
    pub weighted_minor: i64,
}

#[derive(QueryableByName)]
pub struct Closed {
    #[diesel(sql_type = BigInt)]
    pub won: i64,
    #[diesel(sql_type = BigInt)]
    pub lost: i64,
    #[diesel(sql_type = Nullable<Double>)]
    pub average_days_to_win: Option<f64>,
    #[diesel(sql_type = BigInt)]
    pub undated_weighted: i64,
    #[diesel(sql_type = BigInt)]
    pub stalled: i64,
    #[diesel(sql_type = BigInt)]
    pub new_leads: i64,
}

#[derive(QueryableByName)]
pub struct Reach {
    #[diesel(sql_type = SqlUuid)]
    pub pipeline_id: Uuid,
    #[diesel(sql_type = Int4)]
    pub furthest: i32,
    #[diesel(sql_type = BigInt)]
    pub deals: i64,
}

pub async fn currencies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
) -> QueryResult<Vec<Code>> {
    diesel::sql_query(format!(
        "SELECT currency FROM {STAGE_TOTALS_SQL} t GROUP BY currency HAVING sum(deals) <> 0 \
         UNION SELECT currency FROM ( \
             SELECT currency, entries FROM revenue_month_totals WHERE workspace_id = $1 AND kind = 'payment' \
             UNION ALL \
             SELECT currency, entries FROM revenue_month_changes WHERE workspace_id = $1 AND kind = 'payment') r \
           GROUP BY currency HAVING sum(entries) <> 0 \
         UNION SELECT $2 ORDER BY 1"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(currency)
    .load(conn)
    .await
}

/// Open deals per open stage of every pipeline, in one currency (from the kept stage totals).
pub async fn stage_sums(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    owner: OwnerFilter,
) -> QueryResult<Vec<StageRowSum>> {
    diesel::sql_query(format!(
        "WITH t AS (SELECT stage_id, sum(deals) AS deals, sum(value_minor) AS value_minor, \
                           sum(weighted_minor) AS weighted_minor \
                    FROM {STAGE_TOTALS_SQL} t \
                    WHERE currency = $2 AND (NOT $3 OR owner_id IS NOT DISTINCT FROM $4) GROUP BY stage_id) \
         SELECT s.pipeline_id, p.name AS pipeline_name, s.id AS stage_id, s.name, \
                coalesce(t.deals, 0)::bigint AS count, coalesce(t.value_minor, 0)::bigint AS value_minor, \
                coalesce(t.weighted_minor, 0)::bigint AS weighted_minor \
         FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id \
         LEFT JOIN t ON t.stage_id = s.id \
         WHERE s.workspace_id = $1 AND s.kind = 'open' \
         ORDER BY p.position, p.id, s.position, s.id"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(currency)
    .bind::<Bool, _>(owner.on)
    .bind::<Nullable<SqlUuid>, _>(owner.owner)
    .load(conn)
    .await
}

/// Expected income per month for the next twelve (retainers spread over their months), from the
/// kept stage totals: each row holds deals closing in one month over the same number of months.
pub async fn forecast(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    owner: OwnerFilter,
) -> QueryResult<Vec<Month>> {
    diesel::sql_query(format!(
        "WITH months AS ( \
           SELECT generate_series(date_trunc('month', current_date::timestamp), \
                  date_trunc('month', current_date::timestamp) + interval '11 months', interval '1 month') AS m), \
         t AS ( \
           SELECT expected_month, months, sum(value_minor) / months AS value, sum(weighted_month_minor) AS weighted \
           FROM {STAGE_TOTALS_SQL} t \
           WHERE currency = $2 AND status = 'open' AND expected_month IS NOT NULL \
             AND (NOT $3 OR owner_id IS NOT DISTINCT FROM $4) \
           GROUP BY expected_month, months HAVING sum(deals) <> 0), \
         spread AS ( \
           SELECT greatest(t.expected_month::timestamp, date_trunc('month', current_date::timestamp)) \
                    + make_interval(months => n.n) AS m, t.value, t.weighted \
           FROM t CROSS JOIN LATERAL generate_series(0, t.months - 1) AS n(n)), \
         per_month AS ( \
           SELECT m, sum(value) AS value, sum(weighted) AS weighted FROM spread \
           WHERE m < date_trunc('month', current_date::timestamp) + interval '12 months' GROUP BY m) \
         SELECT to_char(months.m, 'YYYY-MM') AS month, coalesce(per_month.value, 0)::bigint AS value_minor, \
                coalesce(per_month.weighted, 0)::bigint AS weighted_minor \
         FROM months LEFT JOIN per_month ON per_month.m = months.m ORDER BY months.m"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(currency)
    .bind::<Bool, _>(owner.on)
    .bind::<Nullable<SqlUuid>, _>(owner.owner)
    .load(conn)
    .await
}

/// A span of time as whole UTC days (summed from the per-day deal totals) and the parts of its
/// first and last days that are not whole (counted deal by deal, through the closing-time index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySplit {
    /// Whole days, the first included and the second not.
    pub days: (NaiveDate, NaiveDate),
    /// `[start, end)` before the first whole day.
    pub head: (DateTime<Utc>, DateTime<Utc>),
    /// `[start, end)` after the last whole day.
    pub tail: (DateTime<Utc>, DateTime<Utc>),
}

/// The start of a UTC day.
pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

impl DaySplit {
    /// `[from, until)` split at UTC midnights.
    pub fn new(from: DateTime<Utc>, until: DateTime<Utc>) -> Self {
        let first = if midnight(from.date_naive()) == from {
            from.date_naive()
        } else {
            from.date_naive().succ_opt().unwrap_or(from.date_naive())
        };
        let last = until.date_naive();
        if first < last {
            Self {
                days: (first, last),
                head: (from, midnight(first)),
                tail: (midnight(last), until),
            }
        } else {
            Self {
                days: (first, first),
                head: (from, until.max(from)),
                tail: (until, until),
            }
        }
    }
}

/// Won and lost in `[closed_from, closed_until)` with the average days to win, the undated
/// weighted value, the deals stalled since before `stale_before` and the new contacts — from the
/// kept per-day and per-stage totals, plus the deals of the partial days one by one.
pub async fn closed(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    (closed_from, closed_until): (DateTime<Utc>, DateTime<Utc>),
    stale_before: DateTime<Utc>,
    this_month: NaiveDate,
    owner: OwnerFilter,
) -> QueryResult<Closed> {
    let closed = DaySplit::new(closed_from, closed_until);
    let stale_day = stale_before.date_naive();
    diesel::sql_query(format!(
        "WITH d AS ( \
           SELECT status, day, deals, days_to_win FROM deal_day_totals \
           WHERE workspace_id = $1 AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) \
           UNION ALL \
           SELECT status, day, deals, days_to_win FROM deal_day_total_changes \
           WHERE workspace_id = $1 AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7)), \
         whole AS ( \
           SELECT coalesce(sum(deals) FILTER (WHERE status = 'won' AND day >= $9 AND day < $10), 0) AS won, \
                  coalesce(sum(days_to_win) FILTER (WHERE status = 'won' AND day >= $9 AND day < $10), 0) AS won_days, \
                  coalesce(sum(deals) FILTER (WHERE status = 'lost' AND day >= $9 AND day < $10), 0) AS lost, \
                  coalesce(sum(deals) FILTER (WHERE status = 'open' AND day < $13), 0) AS stalled \
           FROM d), \
         part AS ( \
           SELECT count(*) FILTER (WHERE status = 'won') AS won, \
                  coalesce(sum(extract(epoch FROM closed_at - created_at) / 86400.0) FILTER (WHERE status = 'won'), 0) \
                    AS won_days, \
                  count(*) FILTER (WHERE status = 'lost') AS lost \
           FROM deals \
           WHERE workspace_id = $1 AND deleted_at IS NULL AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) \
             AND closed_at IS NOT NULL AND status IN ('won', 'lost') \
             AND ((closed_at >= $3 AND closed_at < $11) OR (closed_at >= $12 AND closed_at < $8))), \
         part_stalled AS ( \
           SELECT count(*) AS stalled FROM deals \
           WHERE workspace_id = $1 AND deleted_at IS NULL AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) \
             AND status = 'open' AND stage_changed_at >= $14 AND stage_changed_at < $4) \
         SELECT (whole.won + part.won)::bigint AS won, (whole.lost + part.lost)::bigint AS lost, \
           ((whole.won_days + part.won_days) / nullif(whole.won + part.won, 0))::float8 AS average_days_to_win, \
           (SELECT coalesce(sum(weighted_minor), 0) FROM {STAGE_TOTALS_SQL} t \
              WHERE (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) AND status = 'open' AND currency = $2 \
                AND expected_month IS NULL)::bigint AS undated_weighted, \
           (whole.stalled + part_stalled.stalled)::bigint AS stalled, \
           (SELECT count(*) FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) \
              AND created_at >= $5)::bigint AS new_leads \
         FROM whole, part, part_stalled"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(currency)
    .bind::<Timestamptz, _>(closed.head.0)
    .bind::<Timestamptz, _>(stale_before)
    .bind::<Date, _>(this_month)
    .bind::<Bool, _>(owner.on)
    .bind::<Nullable<SqlUuid>, _>(owner.owner)
    .bind::<Timestamptz, _>(closed.tail.1)
    .bind::<Date, _>(closed.days.0)
    .bind::<Date, _>(closed.days.1)
    .bind::<Timestamptz, _>(closed.head.1)
    .bind::<Timestamptz, _>(closed.tail.0)
    .bind::<Date, _>(stale_day)
    .bind::<Timestamptz, _>(midnight(stale_day))
    .get_result(conn)
    .await
}

/// How far each deal got in its pipeline (for stage-to-stage conversion): the live deals per
/// furthest stage entered, from the kept stage totals (the furthest stage is kept on each deal).
pub async fn reach(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    owner: OwnerFilter,
) -> QueryResult<Vec<Reach>> {
    diesel::sql_query(format!(
        "SELECT s.pipeline_id, CASE WHEN s.kind = 'won' THEN {WON_RANK} ELSE s.position END AS furthest, \
                sum(t.deals)::bigint AS deals \
         FROM {STAGE_TOTALS_SQL} t JOIN pipeline_stages s ON s.id = t.furthest_stage_id \
         WHERE (NOT $2 OR t.owner_id IS NOT DISTINCT FROM $3) \
         GROUP BY 1, 2 HAVING sum(t.deals) <> 0"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Bool, _>(owner.on)
    .bind::<Nullable<SqlUuid>, _>(owner.owner)
    .load(conn)
    .await
}

/// A member's dashboard layout as stored (`None`: never arranged).
pub async fn layout(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
) -> QueryResult<Option<serde_json::Value>> {
    memberships::table
        .filter(memberships::workspace_id.eq(workspace))
        .filter(memberships::user_id.eq(user))
        .select(memberships::dashboard_layout)
        .first::<Option<serde_json::Value>>(conn)
        .await
        .optional()
        .map(Option::flatten)
}

/// Keeps a member's dashboard layout; false when they are not a member.
pub async fn set_layout(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    layout: &serde_json::Value,
) -> QueryResult<bool> {
    diesel::update(
        memberships::table
            .filter(memberships::workspace_id.eq(workspace))
            .filter(memberships::user_id.eq(user)),
    )
    .set(memberships::dashboard_layout.eq(Some(layout)))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_span_is_whole_days_and_the_parts_of_its_first_and_last() {
        // The last 12 months: from a time of day to a midnight.
        let s = DaySplit::new(at(2025, 12, 6, 10), at(2026, 12, 7, 0));
        assert_eq!(s.days, (day(2025, 12, 7), day(2026, 12, 7)));
        assert_eq!(s.head, (at(2025, 12, 6, 10), at(2025, 12, 7, 0)));
        assert_eq!(s.tail, (at(2026, 12, 7, 0), at(2026, 12, 7, 0)));
        // Midnight to midnight: whole days only.
        let s = DaySplit::new(at(2026, 1, 1, 0), at(2026, 2, 1, 0));
        assert_eq!(s.days, (day(2026, 1, 1), day(2026, 2, 1)));
        assert_eq!(s.head.0, s.head.1);
        assert_eq!(s.tail.0, s.tail.1);
        // Both ends inside days.
        let s = DaySplit::new(at(2026, 1, 1, 6), at(2026, 1, 3, 18));
        assert_eq!(s.days, (day(2026, 1, 2), day(2026, 1, 3)));
        assert_eq!(s.head, (at(2026, 1, 1, 6), at(2026, 1, 2, 0)));
        assert_eq!(s.tail, (at(2026, 1, 3, 0), at(2026, 1, 3, 18)));
        // Within one day, and across one midnight: no whole day, all of it counted one by one.
        for (from, until) in [
            (at(2026, 1, 1, 6), at(2026, 1, 1, 18)),
            (at(2026, 1, 1, 18), at(2026, 1, 2, 6)),
        ] {
            let s = DaySplit::new(from, until);
            assert_eq!(s.days.0, s.days.1);
            assert_eq!(s.head, (from, until));
            assert_eq!(s.tail.0, s.tail.1);
        }
        // Backwards: nothing.
        let s = DaySplit::new(at(2026, 1, 2, 0), at(2026, 1, 1, 0));
        assert_eq!(s.days.0, s.days.1);
        assert_eq!(s.head.0, s.head.1);
    }
}
