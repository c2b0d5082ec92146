//! Activity rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::message::Message;
use super::service::{Action, Entity, NEWEST_FIRST, Scope};
use crate::db::WorkspaceId;
use crate::db::keyset::SortValue;
use crate::db::schema::activity;
use crate::db::statement::Statement;

/// `None`s are written as NULL (no column has another default), so a one-entry insert has the
/// same text every time.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = activity, check_for_backend(Pg), treat_none_as_default_value = false)]
pub struct ActivityRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub entity: Entity,
    pub entity_id: Uuid,
    pub action: Action,
    pub summary: String,
    pub contact_id: Option<Uuid>,
    pub fields: Vec<String>,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub merge_id: Option<Uuid>,
    pub message: Option<Message>,
    /// The message's parameters: a JSON object of strings.
    pub params: serde_json::Value,
}

/// The insert of one entry, for a statement that writes it together with its change (see
/// `db::statement`).
pub fn insert_one(row: &ActivityRow) -> impl diesel::query_builder::QueryFragment<Pg> + Send + '_ {
    diesel::insert_into(activity::table).values(row)
}

/// The insert of one entry about a record whose values its statement reads, as one part of that
/// statement: `source` names a CTE with the column `contact_id` (the entry's contact, or NULL)
/// and a column for each of `keys` (e.g. `name`, the contact's name). The entry is written once
/// per row of `source` (none when it has none); its sentence is `template` formatted with those
/// columns (see `Summary::english_template`), which also become its parameters of the same
/// names. `row.summary` and `row.contact_id` are not used.
pub fn insert_one_named<'a>(
    row: &'a ActivityRow,
    template: &'a str,
    source: &'a str,
    keys: &'a [&'a str],
) -> Statement<'a> {
    use diesel::sql_types::Jsonb;
    let summary_and_contact =
        read_values(Statement::new().sql("format(").bind::<Text, _>(template), keys).sql("), s.contact_id");
    let params_and_source = read_params(Statement::new().bind::<Jsonb, _>(&row.params), keys)
        .sql(" FROM ")
        .sql(source)
        .sql(" s");
    insert_one_from(row, summary_and_contact, params_and_source)
}

/// The insert of one entry about a record that its statement reads, as one part of that
/// statement, when the sentence depends on more than the values it names (e.g. the kind of the
/// interaction an edit leaves): `source` names a CTE with the columns `contact_id` (the entry's
/// contact), one for each of `keys`, and `variant`, a key of `variants` — an object whose values
/// hold the sentence's `template` (see `Summary::english_template`) and its `params`. The entry
/// is written once per row of `source`; the values of `keys` become parameters too.
/// `row.summary`, `row.params` and `row.contact_id` are not used.
pub fn insert_one_read<'a>(
    row: &'a ActivityRow,
    variants: &'a serde_json::Value,
    source: &'a str,
    keys: &'a [&'a str],
) -> Statement<'a> {
    use diesel::sql_types::Jsonb;
    let summary_and_contact =
        read_values(Statement::new().sql("format(v.variant ->> 'template'"), keys).sql("), s.contact_id");
    let params_and_source = read_params(Statement::new().sql("(v.variant -> 'params')"), keys)
        .sql(" FROM ")
        .sql(source)
        .sql(" s CROSS JOIN LATERAL (SELECT ")
        .bind::<Jsonb, _>(variants)
        .sql(" -> s.variant AS variant) v");
    insert_one_from(row, summary_and_contact, params_and_source)
}

/// `, s.<key>` for each key: the values a sentence's template is formatted with.
fn read_values<'a>(mut statement: Statement<'a>, keys: &'a [&'a str]) -> Statement<'a> {
    for key in keys {
        statement = statement.sql(", s.").sql(key);
    }
    statement
}

/// ` || jsonb_build_object('<key>', s.<key>, …)`: the values read, as parameters.
fn read_params<'a>(statement: Statement<'a>, keys: &'a [&'a str]) -> Statement<'a> {
    let mut statement = statement.sql(" || jsonb_build_object(");
    for (n, key) in keys.iter().enumerate() {
        statement = statement
            .sql(if n == 0 { "'" } else { ", '" })
            .sql(key)
            .sql("', s.")
            .sql(key);
    }
    statement.sql(")")
}

/// `INSERT INTO activity … SELECT` of one entry whose summary, contact and parameters its
/// statement computes: `summary_and_contact` gives the two columns, `params_and_source` the
/// parameters and the `FROM` clause they read.
fn insert_one_from<'a>(
    row: &'a ActivityRow,
    summary_and_contact: Statement<'a>,
    params_and_source: Statement<'a>,
) -> Statement<'a> {
    use diesel::sql_types::{Array, Nullable, Timestamptz, Uuid as SqlUuid};
    Statement::new()
        .sql(
            "INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, \
             occurred_at, actor_id, actor_name, merge_id, message, params) SELECT ",
        )
        .bind::<SqlUuid, _>(row.id)
        .sql(", ")
        .bind::<SqlUuid, _>(row.workspace_id)
        .sql(", ")
        .bind::<Text, _>(row.entity)
        .sql(", ")
        .bind::<SqlUuid, _>(row.entity_id)
        .sql(", ")
        .bind::<Text, _>(row.action)
        .sql(", ")
        .part(summary_and_contact)
        .sql(", ")
        .bind::<Array<Text>, _>(&row.fields)
        .sql(", ")
        .bind::<Timestamptz, _>(row.occurred_at)
        .sql(", ")
        .bind::<Nullable<SqlUuid>, _>(row.actor_id)
        .sql(", ")
        .bind::<Nullable<Text>, _>(&row.actor_name)
        .sql(", ")
        .bind::<Nullable<SqlUuid>, _>(row.merge_id)
        .sql(", ")
        .bind::<Nullable<Text>, _>(row.message)
        .sql(", ")
        .part(params_and_source)
}

/// Writes entries in one statement.
pub async fn insert(conn: &mut AsyncPgConnection, rows: &[ActivityRow]) -> QueryResult<usize> {
    diesel::insert_into(activity::table).values(rows).execute(conn).await
}

/// Up to `limit` entries of the workspace in `scope`, newest first, after the cursor's position.
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    scope: &Scope,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ActivityRow>> {
    let mut query = activity::table
        .filter(activity::workspace_id.eq(workspace))
        .select(ActivityRow::as_select())
        .into_boxed();
    query = match scope {
        Scope::Workspace(Some(entity)) => query.filter(activity::entity.eq(entity.as_str())),
        Scope::Workspace(None) => query,
        Scope::Contact(id) => query.filter(activity::contact_id.eq(*id)),
        Scope::Record(id) => query.filter(activity::entity_id.eq(*id)),
    };
    if let Some((value, id)) = after {
        query = query.filter(NEWEST_FIRST.condition::<activity::table>("activity.id", value, *id));
    }
    query
        .order(sql::<Text>(&NEWEST_FIRST.order_sql("activity.id")))
        .limit(limit)
        .load(conn)
        .await
}
