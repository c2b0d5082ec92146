//! Deal rows, their stage history and the SQL behind lists and the board.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::DealStatus;
use crate::activity::{self, store::ActivityRow};
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::keyset::{Sort, SortValue};
use crate::db::schema::{companies, contacts, deal_stage_history, deals, pipeline_stages, pipelines};
use crate::db::statement::Statement;

/// `None`s are written as NULL (no nullable column has another default), so a one-row insert has
/// the same text every time.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = deals, check_for_backend(Pg), treat_none_as_default_value = false)]
pub struct DealRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub title: String,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub value_minor: i64,
    pub currency: String,
    pub recurring_months: Option<i32>,
    pub probability: Option<i16>,
    pub expected_close_date: Option<NaiveDate>,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    pub notes: Option<String>,
    pub custom_fields: serde_json::Value,
    pub stage_changed_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub owner_id: Option<Uuid>,
}

/// A deal with the names it shows: stage, its default probability, pipeline, contact, company.
pub type DealView = (
    DealRow,
    String,
    i16,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[derive(Debug, Default)]
pub struct DealChangeset {
    pub title: Option<String>,
    pub contact_id: Option<Option<Uuid>>,
    pub company_id: Option<Option<Uuid>>,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    pub value_minor: Option<i64>,
    pub currency: Option<String>,
    pub recurring_months: Option<Option<i32>>,
    pub probability: Option<Option<i16>>,
    pub expected_close_date: Option<Option<NaiveDate>>,
    pub status: Option<DealStatus>,
    pub lost_reason: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub custom_fields: Option<serde_json::Value>,
    pub stage_changed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<Option<DateTime<Utc>>>,
    pub deleted_at: Option<Option<DateTime<Utc>>>,
    pub owner_id: Option<Option<Uuid>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deal_stage_history, check_for_backend(Pg), treat_none_as_default_value = false)]
pub struct HistoryRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub deal_id: Uuid,
    pub from_stage_id: Option<Uuid>,
    pub to_stage_id: Option<Uuid>,
    pub changed_at: DateTime<Utc>,
}

/// The filters of a deal list.
#[derive(Debug, Default)]
pub struct DealFilter {
    pub title_like: Option<String>,
    pub pipeline: Option<Uuid>,
    pub stage: Option<Uuid>,
    pub status: Option<DealStatus>,
    pub contact: Option<Uuid>,
    pub company: Option<Uuid>,
    /// `Some(None)`: deals without an owner.
    pub owner: Option<Option<Uuid>>,
    pub trashed: bool,
}

/// deals ⋈ stage ⋈ pipeline ⟕ contact ⟕ company, selecting a `DealView`.
macro_rules! view_query {
    () => {
        deals::table
            .inner_join(pipeline_stages::table.on(pipeline_stages::id.eq(deals::stage_id)))
            .inner_join(pipelines::table.on(pipelines::id.eq(deals::pipeline_id)))
            .left_join(contacts::table.on(contacts::id.nullable().eq(deals::contact_id)))
            .left_join(companies::table.on(companies::id.nullable().eq(deals::company_id)))
            .select((
                DealRow::as_select(),
                pipeline_stages::name,
                pipeline_stages::probability,
                pipelines::name,
                contacts::first_name.nullable(),
                contacts::last_name.nullable(),
                companies::name.nullable(),
            ))
            .into_boxed()
    };
}

/// Applies a `DealFilter` to a boxed query over `deals` (the list and its count share it).
macro_rules! filtered {
    ($query:expr, $filter:expr) => {{
        let filter: &DealFilter = $filter;
        let mut query = if filter.trashed {
            $query.filter(deals::deleted_at.is_not_null())
        } else {
            $query.filter(deals::deleted_at.is_null())
        };
        if let Some(like) = &filter.title_like {
            query = query.filter(deals::sort_title.like(like.clone()));
        }
        if let Some(p) = filter.pipeline {
            query = query.filter(deals::pipeline_id.eq(p));
        }
        if let Some(s) = filter.stage {
            query = query.filter(deals::stage_id.eq(s));
        }
        if let Some(s) = filter.status {
            query = query.filter(deals::status.eq(s));
        }
        if let Some(c) = filter.contact {
            query = query.filter(deals::contact_id.eq(c));
        }
        if let Some(c) = filter.company {
            query = query.filter(deals::company_id.eq(c));
        }
        match filter.owner {
            None => {}
            Some(Some(o)) => query = query.filter(deals::owner_id.eq(o)),
            Some(None) => query = query.filter(deals::owner_id.is_null()),
        }
        query
    }};
}

/// A deal as a statement that writes it answers: its row and the names it shows (a `DealView`).
#[derive(QueryableByName)]
struct ViewRow {
    #[diesel(embed)]
    deal: DealRow,
    #[diesel(sql_type = Text)]
    stage_name: String,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    stage_probability: i16,
    #[diesel(sql_type = Text)]
    pipeline_name: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    contact_first_name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    contact_last_name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    company_name: Option<String>,
}

impl From<ViewRow> for DealView {
    fn from(v: ViewRow) -> DealView {
        (
            v.deal,
            v.stage_name,
            v.stage_probability,
            v.pipeline_name,
            v.contact_first_name,
            v.contact_last_name,
            v.company_name,
        )
    }
}

/// The final `SELECT` of a statement that writes one deal, as the CTE `written`: the deal with the
/// names it shows.
const SELECT_VIEW: &str = " SELECT d.*, s.name AS stage_name, s.probability AS stage_probability, \
    p.name AS pipeline_name, c.first_name AS contact_first_name, c.last_name AS contact_last_name, \
    co.name AS company_name \
    FROM written d JOIN pipeline_stages s ON s.id = d.stage_id JOIN pipelines p ON p.id = d.pipeline_id \
    LEFT JOIN contacts c ON c.id = d.contact_id LEFT JOIN companies co ON co.id = d.company_id";

/// The columns a new deal's `INSERT … SELECT` writes, in the order of its values: every column
/// of `deals` that `DealRow` holds (a unit test compares them).
const INSERT_COLUMNS: &str = "id, workspace_id, title, contact_id, company_id, pipeline_id, stage_id, value_minor, \
    currency, recurring_months, probability, expected_close_date, status, lost_reason, notes, custom_fields, \
    stage_changed_at, closed_at, created_at, updated_at, deleted_at, version, owner_id";

/// Where a new deal goes: the stage asked for (which must be of the pipeline asked for, when
/// one is), else the first open stage of the pipeline asked for, else of the workspace's first
/// pipeline.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub pipeline: Option<Uuid>,
    pub stage: Option<Uuid>,
}

/// Creates a deal with its first stage in its stage history and its history entry, in one
/// statement that answers with the deal as shown. The statement reads what the deal takes from
/// elsewhere: its pipeline and stage (`place`), and from the stage its status (closed now when
/// the stage is won or lost; `row.lost_reason` kept only when lost — `row`'s pipeline, stage,
/// status and closing time are not used); a deal without a company takes its contact's; with
/// `workspace_currency` (`row.currency` then unused) the workspace's currency, else EUR. The
/// history entry's sentence is `template` with the stage's name as `stage`. Nothing is written
/// and the answer is `None` when there is no such stage or the contact it names is not live.
pub async fn insert_recorded(
    conn: &mut AsyncPgConnection,
    row: &DealRow,
    place: Placement,
    workspace_currency: bool,
    entered: &HistoryRow,
    (history, template): (&ActivityRow, &str),
) -> QueryResult<Option<DealView>> {
    use diesel::sql_types::{Date, Int2, Int4, Int8, Jsonb, Nullable, Timestamptz, Uuid as SqlUuid};
    let workspace = row.workspace_id;
    Statement::new()
        .sql("WITH source AS (SELECT c.company_id, w.settings ->> 'currency' AS currency FROM workspaces w \
              LEFT JOIN contacts c ON c.workspace_id = w.id AND c.id = ")
        .bind::<Nullable<SqlUuid>, _>(row.contact_id)
        .sql(" AND c.deleted_at IS NULL WHERE w.id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND (c.id IS NOT NULL OR ")
        .bind::<Bool, _>(row.contact_id.is_none())
        // The pipeline asked for, else the stage's, else the first; in it the stage asked for,
        // else its first open one.
        .sql(")), place AS (SELECT st.pipeline_id, st.id AS stage_id, st.kind, st.name AS stage \
              FROM pipeline_stages st WHERE st.workspace_id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND st.pipeline_id = coalesce(")
        .bind::<Nullable<SqlUuid>, _>(place.pipeline)
        .sql(", (SELECT x.pipeline_id FROM pipeline_stages x WHERE x.workspace_id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND x.id = ")
        .bind::<Nullable<SqlUuid>, _>(place.stage)
        .sql("), (SELECT y.id FROM pipelines y WHERE y.workspace_id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" ORDER BY y.position, y.id LIMIT 1)) AND (st.id = ")
        .bind::<Nullable<SqlUuid>, _>(place.stage)
        .sql(" OR (")
        .bind::<Bool, _>(place.stage.is_none())
        .sql(" AND st.kind = 'open')) ORDER BY st.position, st.id LIMIT 1), written AS (INSERT INTO deals (")
        .sql(INSERT_COLUMNS)
        .sql(") SELECT ")
        .bind::<SqlUuid, _>(row.id)
        .sql(", ")
        .bind::<SqlUuid, _>(workspace)
        .sql(", ")
        .bind::<Text, _>(&row.title)
        .sql(", ")
        .bind::<Nullable<SqlUuid>, _>(row.contact_id)
        .sql(", coalesce(")
        .bind::<Nullable<SqlUuid>, _>(row.company_id)
        .sql(", s.company_id), k.pipeline_id, k.stage_id, ")
        .bind::<Int8, _>(row.value_minor)
        // A stored currency was checked when the settings were saved.
        .sql(", CASE WHEN ")
        .bind::<Bool, _>(workspace_currency)
        .sql(" THEN coalesce(s.currency, 'EUR') ELSE ")
        .bind::<Text, _>(&row.currency)
        .sql(" END, ")
        .bind::<Nullable<Int4>, _>(row.recurring_months)
        .sql(", ")
        .bind::<Nullable<Int2>, _>(row.probability)
        .sql(", ")
        .bind::<Nullable<Date>, _>(row.expected_close_date)
        .sql(", k.kind, CASE WHEN k.kind = 'lost' THEN ")
        .bind::<Nullable<Text>, _>(row.lost_reason.as_deref())
        .sql(" END, ")
        .bind::<Nullable<Text>, _>(row.notes.as_deref())
        .sql(", ")
        .bind::<Jsonb, _>(&row.custom_fields)
        .sql(", ")
        .bind::<Timestamptz, _>(row.stage_changed_at)
        .sql(", CASE WHEN k.kind <> 'open' THEN ")
        .bind::<Timestamptz, _>(row.created_at)
        .sql("::timestamptz END, ")
        .bind::<Timestamptz, _>(row.created_at)
        .sql(", ")
        .bind::<Timestamptz, _>(row.updated_at)
        .sql(", ")
        .bind::<Nullable<Timestamptz>, _>(row.deleted_at)
        .sql(", ")
        .bind::<Int4, _>(row.version)
        .sql(", ")
        .bind::<Nullable<SqlUuid>, _>(row.owner_id)
        .sql(" FROM source s, place k RETURNING *), entered AS (INSERT INTO deal_stage_history (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at) SELECT ")
        .bind::<SqlUuid, _>(entered.id)
        .sql(", d.workspace_id, d.id, NULL, d.stage_id, ")
        .bind::<Timestamptz, _>(entered.changed_at)
        .sql(" FROM written d), named AS (SELECT d.contact_id, k.stage FROM written d, place k), history AS (")
        .part(activity::store::insert_one_named(history, template, "named", &["stage"]))
        .sql(")")
        .sql(SELECT_VIEW)
        .get_result::<ViewRow>(conn)
        .await
        .optional()
        .map(|v| v.map(DealView::from))
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<DealRow>> {
    deals::table
        .filter(deals::workspace_id.eq(workspace).and(deals::id.eq(id)))
        .select(DealRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn view(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<DealView>> {
    view_query!()
        .filter(deals::workspace_id.eq(workspace).and(deals::id.eq(id)))
        .first(conn)
        .await
        .optional()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    filter: &DealFilter,
    sort: &Sort,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<DealView>> {
    let mut query = filtered!(view_query!().filter(deals::workspace_id.eq(workspace)), filter);
    if let Some((value, id)) = after {
        query = query.filter(sort.condition("deals.id", value, *id));
    }
    query
        .order(sql::<Text>(&sort.order_sql("deals.id")))
        .limit(limit + 1)
        .load(conn)
        .await
}

pub async fn count(conn: &mut AsyncPgConnection, workspace: WorkspaceId, filter: &DealFilter) -> QueryResult<i64> {
    let query = filtered!(
        deals::table.filter(deals::workspace_id.eq(workspace)).into_boxed(),
        filter
    );
    query.count().get_result(conn).await
}

/// The `per_stage` most recently moved live deals of each stage of a pipeline, in one query:
/// a short walk of the board index per stage (an init plan), then the cards by primary key — so
/// the cost follows the cards shown, not the deals in the pipeline.
pub async fn board_cards(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    per_stage: i64,
) -> QueryResult<Vec<DealView>> {
    view_query!()
        .filter(deals::workspace_id.eq(workspace))
        .filter(
            sql::<Bool>(
                "deals.id = ANY (ARRAY(SELECT top.id FROM pipeline_stages s CROSS JOIN LATERAL \
                 (SELECT d.id FROM deals d WHERE d.pipeline_id = s.pipeline_id AND d.stage_id = s.id \
                  AND d.deleted_at IS NULL ORDER BY d.stage_changed_at DESC, d.id DESC LIMIT ",
            )
            .bind::<BigInt, _>(per_stage)
            .sql(") top WHERE s.pipeline_id = ")
            .bind::<diesel::sql_types::Uuid, _>(pipeline)
            .sql("))"),
        )
        .order((deals::stage_changed_at.desc(), deals::id.desc()))
        .load(conn)
        .await
}

#[derive(Debug, QueryableByName)]
pub struct StageTotal {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub stage_id: Uuid,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub deals: i64,
    #[diesel(sql_type = BigInt)]
    pub value_minor: i64,
    #[diesel(sql_type = BigInt)]
    pub weighted_minor: i64,
}

/// The kept totals of live deals per stage, owner, currency, status, expected month, months and
/// furthest stage reached: the folded
/// rows and the changes not yet folded, for `FROM` (columns as in `deal_stage_totals`; `$1` is the
/// workspace).
pub const STAGE_TOTALS_SQL: &str = "(SELECT stage_id, owner_id, currency, status, expected_month, months, \
            furthest_stage_id, deals, value_minor, weighted_minor, weighted_month_minor \
       FROM deal_stage_totals WHERE workspace_id = $1 \
     UNION ALL \
     SELECT stage_id, owner_id, currency, status, expected_month, months, \
            furthest_stage_id, deals, value_minor, weighted_minor, weighted_month_minor \
       FROM deal_stage_total_changes WHERE workspace_id = $1)";

/// Count, value and weighted value per stage and currency of a pipeline's live deals, summed from
/// the kept totals (a few rows per stage, whatever the number of deals).
pub async fn stage_totals(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
) -> QueryResult<Vec<StageTotal>> {
    diesel::sql_query(format!(
        "SELECT t.stage_id, t.currency, sum(t.deals)::bigint AS deals, \
                sum(t.value_minor)::bigint AS value_minor, sum(t.weighted_minor)::bigint AS weighted_minor \
         FROM {STAGE_TOTALS_SQL} t \
         WHERE t.stage_id IN (SELECT id FROM pipeline_stages WHERE workspace_id = $1 AND pipeline_id = $2) \
         GROUP BY t.stage_id, t.currency HAVING sum(t.deals) <> 0 ORDER BY t.currency"
    ))
    .bind::<diesel::sql_types::Uuid, _>(workspace)
    .bind::<diesel::sql_types::Uuid, _>(pipeline)
    .load(conn)
    .await
}

/// Moves the deal totals' changes that writes appended into the totals, one statement for every
/// workspace (rows locked in key order, so two folds at once wait instead of deadlocking); the
/// number of totals written.
pub async fn fold_stage_totals(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH moved AS (DELETE FROM deal_stage_total_changes RETURNING *), \
              summed AS (SELECT workspace_id, stage_id, owner_id, currency, status, expected_month, months, \
                                furthest_stage_id, sum(deals)::bigint AS deals, sum(value_minor)::bigint AS value_minor, \
                                sum(weighted_minor)::bigint AS weighted_minor, \
                                sum(weighted_month_minor)::bigint AS weighted_month_minor \
                         FROM moved GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) \
         INSERT INTO deal_stage_totals AS t \
         SELECT * FROM summed \
         WHERE deals <> 0 OR value_minor <> 0 OR weighted_minor <> 0 OR weighted_month_minor <> 0 \
         ORDER BY 1, 2, 3, 4, 5, 6, 7, 8 \
         ON CONFLICT ON CONSTRAINT deal_stage_totals_key DO UPDATE \
         SET deals = t.deals + excluded.deals, value_minor = t.value_minor + excluded.value_minor, \
             weighted_minor = t.weighted_minor + excluded.weighted_minor, \
             weighted_month_minor = t.weighted_month_minor + excluded.weighted_month_minor",
    )
    .execute(conn)
    .await
}

/// Removes the totals that no deal counts in any more (the fold leaves them at zero).
pub async fn drop_empty_stage_totals(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM deal_stage_totals WHERE deals = 0 AND value_minor = 0 AND weighted_minor = 0")
        .execute(conn)
        .await
}

/// Moves the per-day deal totals' changes that writes appended into the totals (rows locked in
/// key order); the number of totals written.
pub async fn fold_day_totals(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH moved AS (DELETE FROM deal_day_total_changes RETURNING *), \
              summed AS (SELECT workspace_id, owner_id, status, day, sum(deals)::bigint AS deals, \
                                sum(days_to_win) AS days_to_win \
                         FROM moved GROUP BY 1, 2, 3, 4) \
         INSERT INTO deal_day_totals AS t \
         SELECT * FROM summed WHERE deals <> 0 OR days_to_win <> 0 ORDER BY 1, 2, 3, 4 \
         ON CONFLICT ON CONSTRAINT deal_day_totals_key DO UPDATE \
         SET deals = t.deals + excluded.deals, days_to_win = t.days_to_win + excluded.days_to_win",
    )
    .execute(conn)
    .await
}

/// Removes the per-day deal totals no deal counts in any more.
pub async fn drop_empty_day_totals(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM deal_day_totals WHERE deals = 0 AND days_to_win = 0")
        .execute(conn)
        .await
}

pub async fn history(conn: &mut AsyncPgConnection, workspace: WorkspaceId, deal: Uuid) -> QueryResult<Vec<HistoryRow>> {
    deal_stage_history::table
        .filter(deal_stage_history::workspace_id.eq(workspace))
        .filter(deal_stage_history::deal_id.eq(deal))
        .order((deal_stage_history::changed_at, deal_stage_history::id))
        .select(HistoryRow::as_select())
        .load(conn)
        .await
}

/// The first name, last name and company of a live contact.
pub async fn contact_brief(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Option<(String, String, Option<Uuid>)>> {
    contacts::table
        .filter(contacts::workspace_id.eq(workspace))
        .filter(contacts::id.eq(id))
        .filter(contacts::deleted_at.is_null())
        .select((contacts::first_name, contacts::last_name, contacts::company_id))
        .first(conn)
        .await
        .optional()
}

/// What a deal's change writes beside it (see [`update_recorded`]).
pub struct Recorded<'a> {
    /// When it happens (the deal's `updated_at`).
    pub now: DateTime<Utc>,
    /// The stage it moved to, in its stage history.
    pub moved: Option<&'a HistoryRow>,
    /// Its history entry and the entry's sentence.
    pub history: Option<(&'a ActivityRow, &'a str)>,
}

/// A change of a deal (at `expected` when given), the stage it `moved` to in its stage history
/// when it moved (`to_stage_id` is the deal's stage as the change leaves it), and its history
/// entry when it has one (its sentence `template`, with no value read: see
/// `Summary::english_template`; its contact the deal's), at `now`, in one statement that answers
/// with the deal as shown. Nothing is written when the deal is not at `expected`.
/// Every column is named whether the change sets it or not (see `Statement::assign`), so the text
/// is one of a few (moved or not, recorded or not), each kept prepared.
pub async fn update_recorded(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: &DealChangeset,
    expected: Option<i32>,
    Recorded { now, moved, history }: Recorded<'_>,
) -> QueryResult<WriteOutcome<DealView>> {
    use diesel::sql_types::{Date, Int2, Int4, Int8, Jsonb, Timestamptz, Uuid as SqlUuid};
    let c = changes;
    let mut statement = Statement::new()
        .sql("WITH written AS (UPDATE deals SET ")
        .assign::<Text, _>("title", c.title.as_deref().map(Some))
        .assign::<SqlUuid, _>("contact_id", c.contact_id)
        .assign::<SqlUuid, _>("company_id", c.company_id)
        .assign::<SqlUuid, _>("pipeline_id", c.pipeline_id.map(Some))
        .assign::<SqlUuid, _>("stage_id", c.stage_id.map(Some))
        .assign::<Int8, _>("value_minor", c.value_minor.map(Some))
        .assign::<Text, _>("currency", c.currency.as_deref().map(Some))
        .assign::<Int4, _>("recurring_months", c.recurring_months)
        .assign::<Int2, _>("probability", c.probability)
        .assign::<Date, _>("expected_close_date", c.expected_close_date)
        .assign::<Text, _>("status", c.status.map(Some))
        .assign::<Text, _>("lost_reason", c.lost_reason.as_ref().map(Option::as_deref))
        .assign::<Text, _>("notes", c.notes.as_ref().map(Option::as_deref))
        .assign::<Jsonb, _>("custom_fields", c.custom_fields.as_ref().map(Some))
        .assign::<Timestamptz, _>("stage_changed_at", c.stage_changed_at.map(Some))
        .assign::<Timestamptz, _>("closed_at", c.closed_at)
        .assign::<Timestamptz, _>("deleted_at", c.deleted_at)
        .assign::<SqlUuid, _>("owner_id", c.owner_id)
        .sql("version = version + 1, updated_at = ")
        .bind::<Timestamptz, _>(now)
        .sql(" WHERE workspace_id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND id = ")
        .bind::<SqlUuid, _>(id)
        .at_version(expected)
        .sql(" RETURNING ")
        .part(DealRow::as_returning())
        .sql(")");
    // Both are written only when the deal is (from its row, as `written`).
    if let Some(moved) = moved {
        statement = statement
            .sql(
                ", moved AS (INSERT INTO deal_stage_history (id, workspace_id, deal_id, from_stage_id, to_stage_id, \
                 changed_at) SELECT ",
            )
            .bind::<SqlUuid, _>(moved.id)
            .sql(", w.workspace_id, w.id, ")
            .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(moved.from_stage_id)
            .sql(", w.stage_id, ")
            .bind::<Timestamptz, _>(moved.changed_at)
            .sql(" FROM written w)");
    }
    if let Some((history, template)) = history {
        statement = statement
            .sql(", history AS (")
            .part(activity::store::insert_one_named(history, template, "written", &[]))
            .sql(")");
    }
    let updated = statement
        .sql(SELECT_VIEW)
        .get_result::<ViewRow>(conn)
        .await
        .optional()?;
    WriteOutcome::versioned(updated.map(DealView::from), async {
        Ok(find(conn, workspace, id).await?.map(|r| r.version))
    })
    .await
}

/// Moves every deal of one stage to another (same pipeline) and records it in their history.
pub async fn move_all(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    from: Uuid,
    to: Uuid,
    status: DealStatus,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH moved AS ( \
           UPDATE deals SET stage_id = $2, status = $3, stage_changed_at = $4, updated_at = $4, \
                  version = version + 1, \
                  closed_at = CASE WHEN $3 = 'open' THEN NULL ELSE coalesce(closed_at, $4) END, \
                  lost_reason = CASE WHEN $3 = 'lost' THEN lost_reason ELSE NULL END \
           WHERE stage_id = $1 AND workspace_id = $5 RETURNING id, workspace_id) \
         INSERT INTO deal_stage_history (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at) \
         SELECT gen_random_uuid(), workspace_id, id, $1, $2, $4 FROM moved",
    )
    .bind::<diesel::sql_types::Uuid, _>(from)
    .bind::<diesel::sql_types::Uuid, _>(to)
    .bind::<Text, _>(status.as_str())
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::Uuid, _>(workspace)
    .execute(conn)
    .await
}

/// The open deals with no stage change since `before`, longest waiting first.
pub async fn stalled(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    before: DateTime<Utc>,
    owner: Option<Option<Uuid>>,
    limit: i64,
) -> QueryResult<Vec<DealView>> {
    let mut query = view_query!()
        .filter(deals::workspace_id.eq(workspace))
        .filter(deals::deleted_at.is_null())
        .filter(deals::status.eq(DealStatus::Open))
        .filter(deals::stage_changed_at.lt(before));
    match owner {
        Some(Some(id)) => query = query.filter(deals::owner_id.eq(id)),
        Some(None) => query = query.filter(deals::owner_id.is_null()),
        None => {}
    }
    query
        .order((deals::stage_changed_at, deals::id))
        .limit(limit)
        .load(conn)
        .await
}

/// These deals (any state), for records that link to them.
pub async fn views(conn: &mut AsyncPgConnection, workspace: WorkspaceId, ids: &[Uuid]) -> QueryResult<Vec<DealView>> {
    view_query!()
        .filter(deals::workspace_id.eq(workspace))
        .filter(deals::id.eq_any(ids))
        .load(conn)
        .await
}

/// Moves a deal's history `days` into the past: its whole timeline (creation, stage changes,
/// closing) when `whole`, else only its creation and first stage (demo data).
pub async fn backdate(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    deal: Uuid,
    days: i32,
    whole: bool,
) -> QueryResult<usize> {
    let sql = if whole {
        "WITH d AS (UPDATE deals SET created_at = created_at - make_interval(days => $3::int), \
                    updated_at = updated_at - make_interval(days => $3::int), \
                    stage_changed_at = stage_changed_at - make_interval(days => $3::int), \
                    closed_at = closed_at - make_interval(days => $3::int) \
                    WHERE workspace_id = $1 AND id = $2 RETURNING id) \
         UPDATE deal_stage_history SET changed_at = changed_at - make_interval(days => $3::int) \
         WHERE workspace_id = $1 AND deal_id IN (SELECT id FROM d)"
    } else {
        "WITH d AS (UPDATE deals SET created_at = created_at - make_interval(days => $3::int) \
                    WHERE workspace_id = $1 AND id = $2 RETURNING id) \
         UPDATE deal_stage_history SET changed_at = changed_at - make_interval(days => $3::int) \
         WHERE workspace_id = $1 AND deal_id IN (SELECT id FROM d) AND from_stage_id IS NULL"
    };
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::Uuid, _>(workspace)
        .bind::<diesel::sql_types::Uuid, _>(deal)
        .bind::<diesel::sql_types::Integer, _>(days)
        .execute(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_deal_is_inserted_with_every_column_of_the_table() {
        // Every field of the row (the columns the database computes, such as the search vector,
        // are not fields of it).
        let select = diesel::debug_query::<Pg, _>(&deals::table.select(DealRow::as_select())).to_string();
        let mut in_row: Vec<&str> = select
            .split(" FROM ")
            .next()
            .unwrap_or_default()
            .trim_start_matches("SELECT ")
            .split(", ")
            .map(|c| c.rsplit('.').next().unwrap_or(c).trim_matches('"'))
            .collect();
        let mut inserted: Vec<&str> = INSERT_COLUMNS.split(',').map(str::trim).collect();
        in_row.sort_unstable();
        inserted.sort_unstable();
        assert_eq!(inserted, in_row);
    }
}
