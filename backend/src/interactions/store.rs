//! Interaction rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::{DeliveryState, Direction, InteractionKind, Outcome, SentimentLabel};
use crate::activity::{self, store::ActivityRow};
use crate::contacts;
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::keyset::{Sort, SortValue};
use crate::db::schema::interactions;
use crate::db::statement::{Prepare, Statement};

/// `None`s are written as NULL (no nullable column has another default), so a one-row insert has
/// the same text every time.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = interactions, check_for_backend(Pg), treat_none_as_default_value = false)]
pub struct InteractionRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub contact_id: Uuid,
    pub kind: InteractionKind,
    pub direction: Option<Direction>,
    pub occurred_at: DateTime<Utc>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub outcome: Option<Outcome>,
    pub duration_minutes: Option<i32>,
    pub sentiment_label: Option<SentimentLabel>,
    pub sentiment_score: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub deal_id: Option<Uuid>,
    /// The message's Message-ID for emails (imported, or sent from Rapport).
    pub external_ref: Option<String>,
    /// For emails sent from Rapport: queued, sent or failed.
    pub delivery_status: Option<DeliveryState>,
    pub delivery_error: Option<String>,
}

#[derive(Debug, Default)]
pub struct InteractionChangeset {
    pub kind: Option<InteractionKind>,
    pub deal_id: Option<Option<Uuid>>,
    pub direction: Option<Option<Direction>>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub subject: Option<Option<String>>,
    pub body: Option<Option<String>>,
    pub outcome: Option<Option<Outcome>>,
    pub duration_minutes: Option<Option<i32>>,
    pub sentiment_label: Option<Option<SentimentLabel>>,
    pub sentiment_score: Option<Option<f64>>,
}

impl InteractionChangeset {
    /// Names of the fields this change sets (sentiment counts once).
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("kind", self.kind.is_some()),
            ("deal_id", self.deal_id.is_some()),
            ("direction", self.direction.is_some()),
            ("occurred_at", self.occurred_at.is_some()),
            ("subject", self.subject.is_some()),
            ("body", self.body.is_some()),
            ("outcome", self.outcome.is_some()),
            ("duration_minutes", self.duration_minutes.is_some()),
            ("sentiment", self.sentiment_label.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect()
    }
}

/// Logs an interaction on a live contact, its history entry (which names the contact) and the
/// contact's new follow-up fields in one statement; `now` is when it is logged (what "has
/// happened" is measured against). Writes nothing and returns `None` when the contact is missing
/// or in the trash.
pub async fn insert_logged(
    conn: &mut AsyncPgConnection,
    row: &InteractionRow,
    history: &ActivityRow,
    template: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<InteractionRow>> {
    use diesel::sql_types::{Float8, Int4, Uuid as SqlUuid};
    Statement::new()
        .sql("WITH clock AS (SELECT ")
        .bind::<Timestamptz, _>(now)
        .sql("::timestamptz AS at), target AS (")
        .part(contacts::store::live_name(row.workspace_id, row.contact_id))
        .sql(
            "), logged AS (INSERT INTO interactions (id, workspace_id, contact_id, kind, direction, occurred_at, \
             subject, body, outcome, duration_minutes, sentiment_label, sentiment_score, created_at, updated_at, \
             version, deal_id, external_ref, delivery_status, delivery_error) SELECT ",
        )
        .bind::<SqlUuid, _>(row.id)
        .sql(", ")
        .bind::<SqlUuid, _>(row.workspace_id)
        .sql(", target.contact_id, ")
        .bind::<Text, _>(row.kind)
        .sql(", ")
        .bind::<Nullable<Text>, _>(row.direction)
        .sql(", ")
        .bind::<Timestamptz, _>(row.occurred_at)
        .sql(", ")
        .bind::<Nullable<Text>, _>(&row.subject)
        .sql(", ")
        .bind::<Nullable<Text>, _>(&row.body)
        .sql(", ")
        .bind::<Nullable<Text>, _>(row.outcome)
        .sql(", ")
        .bind::<Nullable<Int4>, _>(row.duration_minutes)
        .sql(", ")
        .bind::<Nullable<Text>, _>(row.sentiment_label)
        .sql(", ")
        .bind::<Nullable<Float8>, _>(row.sentiment_score)
        .sql(", ")
        .bind::<Timestamptz, _>(row.created_at)
        .sql(", ")
        .bind::<Timestamptz, _>(row.updated_at)
        .sql(", ")
        .bind::<Int4, _>(row.version)
        .sql(", ")
        .bind::<Nullable<SqlUuid>, _>(row.deal_id)
        .sql(", ")
        .bind::<Nullable<Text>, _>(&row.external_ref)
        .sql(", ")
        .bind::<Nullable<Text>, _>(row.delivery_status)
        .sql(", ")
        .bind::<Nullable<Text>, _>(&row.delivery_error)
        .sql(" FROM target RETURNING ")
        .part(InteractionRow::as_returning())
        .sql("), history AS (")
        .part(activity::store::insert_one_named(
            history,
            template,
            "target",
            &["name"],
        ))
        .sql("), followed AS (")
        .part(contacts::store::follow_up_after_logging(
            row.workspace_id,
            row.contact_id,
        ))
        .sql(" AND EXISTS (SELECT FROM logged)) SELECT * FROM logged")
        .get_result(conn)
        .await
        .optional()
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Option<InteractionRow>> {
    interactions::table
        .filter(interactions::workspace_id.eq(workspace).and(interactions::id.eq(id)))
        .select(InteractionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A contact's timeline in `sort` order (newest first), one extra row to tell whether more follow.
/// A page of a contact's interactions — none unless the contact exists (outside the trash unless
/// `include_trashed`), so a page with rows needs no other statement to know the contact is there.
#[allow(clippy::too_many_arguments)]
pub async fn timeline(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Uuid,
    include_trashed: bool,
    kinds: &[InteractionKind],
    sort: &Sort,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<InteractionRow>> {
    use crate::db::schema::contacts as c;
    let visible = c::table
        .filter(c::workspace_id.eq(workspace))
        .filter(c::id.eq(contact))
        .filter(c::deleted_at.is_null().or(include_trashed.into_sql::<Bool>()));
    let mut query = interactions::table
        .filter(interactions::workspace_id.eq(workspace))
        .filter(interactions::contact_id.eq(contact))
        .filter(diesel::dsl::exists(visible))
        .select(InteractionRow::as_select())
        .into_boxed();
    if !kinds.is_empty() {
        query = query.filter(interactions::kind.eq_any(kinds.iter().map(|k| k.as_str())));
    }
    if let Some((value, id)) = after {
        query = query.filter(sort.condition::<interactions::table>("interactions.id", value, *id));
    }
    // At a common page size the statement is kept prepared, with one plan (see
    // `Sort::order_and_limit_sql`).
    match sort.order_and_limit_sql("interactions.id", limit) {
        Some(order_and_limit) => query.order(sql::<Text>(&order_and_limit)).prepared().load(conn).await,
        None => {
            query
                .order(sql::<Text>(&sort.order_sql("interactions.id")))
                .limit(limit + 1)
                .load(conn)
                .await
        }
    }
}

/// An edit of an interaction (at `expected` when given), its history entry and its contact's
/// follow-up fields as the edit leaves them, in one statement. The entry names the contact and
/// the interaction's kind as the edit leaves them (`history_variants`, one per kind: see
/// `activity::store::insert_one_read`).
pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: &InteractionChangeset,
    expected: Option<i32>,
    (history, history_variants): (&ActivityRow, &serde_json::Value),
) -> QueryResult<WriteOutcome<InteractionRow>> {
    use diesel::sql_types::{Float8, Int4, Uuid as SqlUuid};
    // Every column is named whether the edit sets it or not, so the statement's text is the same
    // at every edit and it is kept prepared with its plan (this statement takes longer to plan
    // than to run).
    let c = changes;
    let edit = Statement::new()
        .sql("UPDATE interactions SET ")
        .assign::<Text, _>("kind", c.kind.map(Some))
        .assign::<SqlUuid, _>("deal_id", c.deal_id)
        .assign::<Text, _>("direction", c.direction)
        .assign::<Timestamptz, _>("occurred_at", c.occurred_at.map(Some))
        .assign::<Text, _>("subject", c.subject.as_ref().map(Option::as_deref))
        .assign::<Text, _>("body", c.body.as_ref().map(Option::as_deref))
        .assign::<Text, _>("outcome", c.outcome)
        .assign::<Int4, _>("duration_minutes", c.duration_minutes)
        .assign::<Text, _>("sentiment_label", c.sentiment_label)
        .assign::<Float8, _>("sentiment_score", c.sentiment_score)
        .sql("version = version + 1, updated_at = ")
        .bind::<Timestamptz, _>(history.occurred_at)
        .sql(" WHERE workspace_id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND id = ")
        .bind::<SqlUuid, _>(id)
        .at_version(expected)
        .sql(" RETURNING ")
        .part(InteractionRow::as_returning());
    let follow_up = contacts::store::follow_up_after_edit(workspace);
    let updated = recorded("updated", edit, (history, history_variants), follow_up)
        .get_result(conn)
        .await
        .optional()?;
    outcome(conn, workspace, id, updated).await
}

/// Deletes an interaction (at `expected` when given) and writes its history entry and its
/// contact's follow-up fields without it, in one statement; returns the deleted row. The entry is
/// as for [`update`].
pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
    (history, history_variants): (&ActivityRow, &serde_json::Value),
) -> QueryResult<WriteOutcome<InteractionRow>> {
    let target = interactions::table
        .filter(interactions::workspace_id.eq(workspace))
        .filter(interactions::id.eq(id))
        .filter(
            interactions::version
                .eq(expected.unwrap_or(0))
                .or(expected.is_none().into_sql::<Bool>()),
        );
    let delete = diesel::delete(target).returning(InteractionRow::as_returning());
    let follow_up = contacts::store::follow_up_after_delete(workspace);
    let deleted = recorded("deleted", delete, (history, history_variants), follow_up)
        .get_result(conn)
        .await
        .optional()?;
    outcome(conn, workspace, id, deleted).await
}

/// A change of one interaction (`change`, returning the row, as the CTE `name`), its history entry
/// and its contact's follow-up (`follow_up`, which reads that CTE) as one statement, at the
/// entry's time; its rows are the changed interaction's.
fn recorded<'a>(
    name: &'a str,
    change: impl QueryFragment<Pg> + Send + 'a,
    (history, history_variants): (&'a ActivityRow, &'a serde_json::Value),
    follow_up: Statement<'a>,
) -> Statement<'a> {
    Statement::new()
        .sql("WITH clock AS (SELECT ")
        .bind::<Timestamptz, _>(history.occurred_at)
        .sql("::timestamptz AS at), ")
        .sql(name)
        .sql(" AS (")
        .part(change)
        .sql("), named AS (")
        .part(contacts::store::name_of_changed(name, "x.kind AS variant"))
        .sql("), history AS (")
        .part(activity::store::insert_one_read(
            history,
            history_variants,
            "named",
            &["name"],
        ))
        .sql("), followed AS (")
        .part(follow_up)
        .sql(") SELECT * FROM ")
        .sql(name)
}

/// What a write that matched no row means: the row is at another version, or it is not there.
async fn outcome(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    written: Option<InteractionRow>,
) -> QueryResult<WriteOutcome<InteractionRow>> {
    WriteOutcome::versioned(written, async {
        Ok(find(conn, workspace, id).await?.map(|r| r.version))
    })
    .await
}

/// Records how the delivery of an email sent from Rapport went.
pub async fn set_delivery(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    status: DeliveryState,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        interactions::table
            .filter(interactions::workspace_id.eq(workspace))
            .filter(interactions::id.eq(id)),
    )
    .set((
        interactions::delivery_status.eq(Some(status)),
        interactions::delivery_error.eq(error),
        interactions::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}
