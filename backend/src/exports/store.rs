//! Rows and SQL of workspace exports, and the reads that dump a workspace's records for one.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::db::schema::{exports, jobs};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exports, check_for_backend(Pg))]
pub struct ExportRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub status: String,
    pub job_id: Option<Uuid>,
    pub file_id: Option<Uuid>,
    pub file_name: Option<String>,
    pub bytes: Option<i64>,
    pub counts: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = exports)]
pub struct NewExportRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub job_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = exports)]
pub struct ExportChange {
    pub status: Option<String>,
    pub file_id: Option<Option<Uuid>>,
    pub file_name: Option<String>,
    pub bytes: Option<i64>,
    pub counts: Option<serde_json::Value>,
    pub error: Option<Option<String>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

macro_rules! owned {
    ($workspace:expr, $id:expr) => {
        exports::workspace_id.eq($workspace).and(exports::id.eq($id))
    };
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &NewExportRow) -> QueryResult<usize> {
    diesel::insert_into(exports::table).values(row).execute(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<ExportRow>> {
    exports::table
        .filter(owned!(workspace, id))
        .select(ExportRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The newest `limit` exports with their jobs' progress (done, total).
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    limit: i64,
) -> QueryResult<Vec<(ExportRow, Option<(i64, Option<i64>)>)>> {
    exports::table
        .left_join(jobs::table.on(exports::job_id.eq(jobs::id.nullable())))
        .filter(exports::workspace_id.eq(workspace))
        .select((
            ExportRow::as_select(),
            (jobs::progress_done, jobs::progress_total).nullable(),
        ))
        .order((exports::created_at.desc(), exports::id.desc()))
        .limit(limit)
        .load(conn)
        .await
}

pub async fn change(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    change: &ExportChange,
) -> QueryResult<usize> {
    diesel::update(exports::table.filter(owned!(workspace, id)))
        .set(change)
        .execute(conn)
        .await
}

/// Marks the exports whose download ran out before `now` as expired (their files are purged
/// with `files::store::purge_expired`).
pub async fn expire(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(exports::table.filter(exports::status.eq("ready").and(exports::expires_at.lt(now))))
        .set((
            exports::status.eq("expired"),
            exports::file_id.eq(None::<Uuid>),
            exports::updated_at.eq(now),
        ))
        .execute(conn)
        .await
}

/// A table of workspace records in an archive: the file name it is written under, the table,
/// and how its rows belong to a workspace.
#[derive(Debug, Clone, Copy)]
pub struct Dump {
    pub name: &'static str,
    pub table: &'static str,
    /// `None`: the table has `workspace_id`; else the parent table and the column naming it.
    pub through: Option<(&'static str, &'static str)>,
    /// The column that identifies a record (the archive is written in its order).
    pub key: &'static str,
}

const fn own(name: &'static str, table: &'static str) -> Dump {
    Dump {
        name,
        table,
        through: None,
        key: "id",
    }
}

/// Every table of workspace records, parents before children (the order a restore inserts them).
pub const DUMPS: &[Dump] = &[
    own("custom_fields", "custom_field_definitions"),
    own("pipelines", "pipelines"),
    own("pipeline_stages", "pipeline_stages"),
    own("companies", "companies"),
    own("contacts", "contacts"),
    own("products", "products"),
    own("templates", "email_templates"),
    own("sequences", "sequences"),
    own("forms", "forms"),
    own("deals", "deals"),
    own("deal_stage_history", "deal_stage_history"),
    own("interactions", "interactions"),
    own("form_submissions", "form_submissions"),
    own("sequence_enrollments", "sequence_enrollments"),
    own("sequence_sends", "sequence_sends"),
    Dump {
        name: "mail_unsubscribes",
        table: "mail_unsubscribes",
        through: None,
        key: "contact_id",
    },
    own("reminders", "reminders"),
    own("proposals", "proposals"),
    own("proposal_lines", "proposal_lines"),
    own("payments", "payments"),
    own("ai_conversations", "ai_conversations"),
    Dump {
        name: "ai_messages",
        table: "ai_messages",
        through: Some(("ai_conversations", "conversation_id")),
        key: "id",
    },
    own("history", "activity"),
];

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// A table's stored columns in their order — not the generated ones (the database computes
/// them again) nor `workspace_id` (the archive is of one workspace).
pub async fn columns(conn: &mut AsyncPgConnection, table: &str) -> QueryResult<Vec<String>> {
    let rows: Vec<ColumnName> = diesel::sql_query(
        "SELECT column_name::text AS column_name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 \
           AND is_generated = 'NEVER' AND column_name <> 'workspace_id' \
         ORDER BY ordinal_position",
    )
    .bind::<Text, _>(table)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.column_name).collect())
}

/// `t."a", t."b", …`
fn select_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("t.\"{}\"", c.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn scope(dump: &Dump) -> String {
    match dump.through {
        None => "t.workspace_id = $1".to_owned(),
        Some((parent, column)) => {
            format!("t.\"{column}\" IN (SELECT p.id FROM {parent} p WHERE p.workspace_id = $1)")
        }
    }
}

#[derive(QueryableByName)]
pub struct DumpedRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// The record as a JSON object, its columns in the table's order.
    #[diesel(sql_type = Text)]
    pub json: String,
}

/// Up to `limit` records of a dumped table after `after` (by id), each as JSON text.
pub async fn dump_page(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    dump: &Dump,
    columns: &[String],
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<DumpedRow>> {
    let sql = format!(
        "SELECT x.{key} AS id, row_to_json(x)::text AS json FROM (SELECT {cols} FROM {table} t \
         WHERE {scope} AND ($2::uuid IS NULL OR t.{key} > $2) ORDER BY t.{key} LIMIT $3) x",
        cols = select_list(columns),
        table = dump.table,
        scope = scope(dump),
        key = dump.key,
    );
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace)
        .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(after)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many records the dumped tables hold for `workspace`.
pub async fn dump_total(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<i64> {
    let parts: Vec<String> = DUMPS
        .iter()
        .map(|d| format!("(SELECT count(*) FROM {} t WHERE {})", d.table, scope(d)))
        .collect();
    let sql = format!("SELECT ({})::bigint AS n", parts.join(" + "));
    let row: Count = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace)
        .get_result(conn)
        .await?;
    Ok(row.n)
}

/// The workspace's own row (name, settings) as JSON text.
pub async fn workspace_json(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Json {
        #[diesel(sql_type = Text)]
        json: String,
    }
    let row: Json = diesel::sql_query(
        "SELECT row_to_json(x)::text AS json FROM (SELECT id, name, settings, created_at, updated_at \
         FROM workspaces WHERE id = $1) x",
    )
    .bind::<SqlUuid, _>(workspace)
    .get_result(conn)
    .await?;
    Ok(row.json)
}

/// Makes the current transaction read one consistent snapshot, read-only (its first statement).
pub async fn snapshot(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(conn)
        .await
}
