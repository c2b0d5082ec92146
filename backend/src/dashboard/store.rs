//! The dashboard's aggregate queries over deals, stages, payments and contacts.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Bool, Date, Double, Int4, Nullable, Text};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::db::schema::memberships;
use crate::deals::store::STAGE_TOTALS_SQL;
use crate::payments::revenue::EVENTS_SQL;

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

#[derive(QueryableByName)]
pub struct Keyed {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

pub async fn currencies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
) -> QueryResult<Vec<Code>> {
    diesel::sql_query(format!(
        "SELECT currency FROM {STAGE_TOTALS_SQL} t GROUP BY currency HAVING sum(deals) <> 0 \
         UNION SELECT currency FROM payments WHERE workspace_id = $1 \
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

/// Won and lost since `won_since`, days to win, undated weighted value, stalled deals, new contacts.
pub async fn closed(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    (closed_from, closed_until): (DateTime<Utc>, DateTime<Utc>),
    stale_before: DateTime<Utc>,
    this_month: NaiveDate,
    owner: OwnerFilter,
) -> QueryResult<Closed> {
    diesel::sql_query(format!(
        "SELECT \
           (SELECT count(*) FROM deals WHERE workspace_id = $1 AND deleted_at IS NULL AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) AND status = 'won' \
              AND closed_at >= $3 AND closed_at < $8)::bigint AS won, \
           (SELECT count(*) FROM deals WHERE workspace_id = $1 AND deleted_at IS NULL AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) AND status = 'lost' \
              AND closed_at >= $3 AND closed_at < $8)::bigint AS lost, \
           (SELECT avg(extract(epoch FROM closed_at - created_at) / 86400.0) FROM deals \
              WHERE workspace_id = $1 AND deleted_at IS NULL AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) AND status = 'won' AND closed_at >= $3 AND closed_at < $8)::float8 \
              AS average_days_to_win, \
           (SELECT coalesce(sum(weighted_minor), 0) FROM {STAGE_TOTALS_SQL} t \
              WHERE (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) AND status = 'open' AND currency = $2 \
                AND expected_month IS NULL)::bigint AS undated_weighted, \
           (SELECT count(*) FROM deals WHERE workspace_id = $1 AND deleted_at IS NULL AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) AND status = 'open' \
              AND stage_changed_at < $4)::bigint AS stalled, \
           (SELECT count(*) FROM contacts WHERE workspace_id = $1 AND deleted_at IS NULL AND (NOT $6 OR owner_id IS NOT DISTINCT FROM $7) \
              AND created_at >= $5)::bigint AS new_leads"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(currency)
    .bind::<diesel::sql_types::Timestamptz, _>(closed_from)
    .bind::<diesel::sql_types::Timestamptz, _>(stale_before)
    .bind::<Date, _>(this_month)
    .bind::<Bool, _>(owner.on)
    .bind::<Nullable<SqlUuid>, _>(owner.owner)
    .bind::<diesel::sql_types::Timestamptz, _>(closed_until)
    .get_result(conn)
    .await
}

/// How far each deal got in its pipeline (for stage-to-stage conversion).
pub async fn reach(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    owner: OwnerFilter,
) -> QueryResult<Vec<Reach>> {
    diesel::sql_query(format!(
        "SELECT pipeline_id, furthest, count(*)::bigint AS deals FROM ( \
           SELECT d.pipeline_id, d.id, max(CASE WHEN s.kind = 'won' THEN {WON_RANK} ELSE s.position END) AS furthest \
           FROM deals d JOIN deal_stage_history h ON h.deal_id = d.id \
           JOIN pipeline_stages s ON s.id = h.to_stage_id AND s.pipeline_id = d.pipeline_id AND s.kind <> 'lost' \
           WHERE d.workspace_id = $1 AND d.deleted_at IS NULL AND (NOT $2 OR d.owner_id IS NOT DISTINCT FROM $3) \
           GROUP BY d.pipeline_id, d.id) t \
         GROUP BY pipeline_id, furthest"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Bool, _>(owner.on)
    .bind::<Nullable<SqlUuid>, _>(owner.owner)
    .load(conn)
    .await
}

/// Revenue per month between two days.
pub async fn revenue_by_month(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    from: NaiveDate,
    to: NaiveDate,
    owner: OwnerFilter,
) -> QueryResult<Vec<Keyed>> {
    diesel::sql_query(format!(
        "WITH e AS ({EVENTS_SQL}) \
         SELECT to_char(m, 'YYYY-MM') AS key, coalesce(sum(e.amount), 0)::bigint AS amount \
         FROM generate_series(date_trunc('month', $3::timestamp), $4::timestamp, interval '1 month') AS m \
         LEFT JOIN e ON date_trunc('month', e.day::timestamp) = m GROUP BY m ORDER BY m"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(currency)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Nullable<SqlUuid>, _>(None::<Uuid>)
    .bind::<Bool, _>(owner.on)
    .bind::<Nullable<SqlUuid>, _>(owner.owner)
    .load(conn)
    .await
}

/// Revenue per contact source between two days.
pub async fn revenue_by_source(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    currency: &str,
    from: NaiveDate,
    to: NaiveDate,
    owner: OwnerFilter,
) -> QueryResult<Vec<Keyed>> {
    diesel::sql_query(format!(
        // Summed per contact first, then each contact's source looked up by key: joining the
        // events to the contacts made PostgreSQL hash the whole contacts table.
        "WITH e AS ({EVENTS_SQL}), \
              t AS (SELECT contact_id, sum(amount) AS amount FROM e GROUP BY contact_id) \
         SELECT coalesce((SELECT c.source FROM contacts c WHERE c.id = t.contact_id), 'unknown') AS key, \
                sum(t.amount)::bigint AS amount \
         FROM t GROUP BY 1 ORDER BY 2 DESC, 1"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(currency)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Nullable<SqlUuid>, _>(None::<Uuid>)
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
