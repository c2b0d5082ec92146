//! Rows and SQL of imports. The commit and the rollback write contacts and companies in bulk —
//! one statement per batch of records, reading the values from `import_rows` — so they live
//! here rather than in the contacts store, which writes one record at a time.

use crate::activity::message::Message;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::contacts::store::ContactRow;
use crate::db::WorkspaceId;
use crate::db::schema::{contacts, import_batches, import_companies, import_mappings, import_rows, imports, jobs};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imports, check_for_backend(Pg))]
pub struct ImportRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub kind: String,
    pub status: String,
    pub file_name: String,
    pub file_bytes: i64,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub column_names: Vec<String>,
    pub header_key: String,
    pub row_count: i32,
    pub notices: Vec<String>,
    pub mapping: Option<serde_json::Value>,
    pub policy: Option<String>,
    pub counts: Option<serde_json::Value>,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    pub job_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
    pub rolled_back_at: Option<DateTime<Utc>>,
    /// The workspace's newest history entry when the plan was made.
    pub planned_stamp: Option<Uuid>,
    /// A workspace archive: the uploaded file, until it is restored.
    pub file_id: Option<Uuid>,
    /// An email or calendar import: the addresses no contact has, after a preview.
    pub unmatched: Option<serde_json::Value>,
    /// An email or calendar import: the addresses to create contacts for.
    pub create_contacts: Option<Vec<String>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = imports)]
pub struct NewImportRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub kind: String,
    pub file_name: String,
    pub file_bytes: i64,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub column_names: Vec<String>,
    pub header_key: String,
    pub row_count: i32,
    pub notices: Vec<String>,
    pub created_by: Option<Uuid>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub file_id: Option<Uuid>,
}

/// One planned record, as the preview pages show it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = import_rows, check_for_backend(Pg))]
pub struct PlannedRow {
    pub row_no: i32,
    pub cells: Vec<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub reason_code: Option<String>,
    pub reason_params: Option<serde_json::Value>,
    pub error_column: Option<String>,
    pub contact_id: Option<Uuid>,
    pub payload: Option<serde_json::Value>,
    pub before: Option<serde_json::Value>,
    pub rollback: Option<String>,
}

/// Records are written and applied in batches of this many.
pub const BATCH: usize = 5_000;

/// The import `id` of `workspace`.
macro_rules! owned {
    ($workspace:expr, $id:expr) => {
        imports::workspace_id.eq($workspace).and(imports::id.eq($id))
    };
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &NewImportRow) -> QueryResult<ImportRow> {
    diesel::insert_into(imports::table)
        .values(row)
        .returning(ImportRow::as_returning())
        .get_result(conn)
        .await
}

/// Stores the records of an import (numbered from `first_no`), in one statement.
pub async fn insert_rows(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    first_no: i32,
    rows: &[Vec<String>],
) -> QueryResult<usize> {
    let numbers: Vec<i32> = (0..rows.len()).map(|i| first_no + i as i32).collect();
    let cells: Vec<serde_json::Value> = rows.iter().map(|r| serde_json::json!(r)).collect();
    diesel::sql_query(
        "INSERT INTO import_rows (import_id, row_no, cells) \
         SELECT i.id, r.n, ARRAY(SELECT jsonb_array_elements_text(r.c)) \
         FROM imports i, unnest($3::int[], $4::jsonb[]) AS r(n, c) WHERE i.workspace_id = $1 AND i.id = $2",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Int4>, _>(numbers)
    .bind::<Array<Jsonb>, _>(cells)
    .execute(conn)
    .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<ImportRow>> {
    imports::table
        .filter(owned!(workspace, id))
        .select(ImportRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The import, locked for a change of status.
pub async fn lock(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<ImportRow>> {
    imports::table
        .filter(owned!(workspace, id))
        .select(ImportRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The workspace's imports, newest first, before `before` (created_at, id), each with its
/// commit job's progress (done) when it has one.
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<(ImportRow, Option<i64>)>> {
    let mut q = imports::table
        .left_join(jobs::table.on(imports::job_id.eq(jobs::id.nullable())))
        .filter(imports::workspace_id.eq(workspace))
        .select((ImportRow::as_select(), jobs::progress_done.nullable()))
        .order((imports::created_at.desc(), imports::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = before {
        q = q.filter(
            imports::created_at
                .lt(at)
                .or(imports::created_at.eq(at).and(imports::id.lt(id))),
        );
    }
    q.load(conn).await
}

/// The mapping last used with a file of this header, if any.
pub async fn mapping_for_header(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    header_key: &str,
) -> QueryResult<Option<serde_json::Value>> {
    imports::table
        .filter(imports::workspace_id.eq(workspace))
        .filter(imports::header_key.eq(header_key))
        .filter(imports::mapping.is_not_null())
        .order(imports::created_at.desc())
        .select(imports::mapping.assume_not_null())
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = imports)]
pub struct ImportChange {
    pub status: Option<String>,
    pub row_count: Option<i32>,
    pub mapping: Option<serde_json::Value>,
    pub policy: Option<String>,
    pub counts: Option<serde_json::Value>,
    pub result: Option<serde_json::Value>,
    pub error: Option<Option<String>>,
    pub job_id: Option<Uuid>,
    pub committed_at: Option<DateTime<Utc>>,
    pub rolled_back_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub planned_stamp: Option<Option<Uuid>>,
    pub unmatched: Option<Option<serde_json::Value>>,
    pub create_contacts: Option<Option<Vec<String>>>,
}

pub async fn change(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    change: &ImportChange,
) -> QueryResult<usize> {
    diesel::update(imports::table.filter(owned!(workspace, id)))
        .set(change)
        .execute(conn)
        .await
}

/// The cells of records `from..=to`, in file order.
pub async fn cells(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    (from, to): (i32, i32),
) -> QueryResult<Vec<(i32, Vec<String>)>> {
    import_rows::table
        .inner_join(imports::table)
        .filter(owned!(workspace, id))
        .filter(import_rows::row_no.between(from, to))
        .order(import_rows::row_no)
        .select((import_rows::row_no, import_rows::cells))
        .load(conn)
        .await
}

/// A batch of planned outcomes column by column, as [`save_outcomes`] binds them, their JSON
/// already written out as text (bulk work does that, off the threads that answer requests).
#[derive(Debug, Default)]
pub struct PlannedOutcomes {
    pub row_no: Vec<i32>,
    pub outcome: Vec<&'static str>,
    pub reason: Vec<Option<String>>,
    pub code: Vec<Option<String>>,
    /// The code's parameters (JSON); None when it has none.
    pub params: Vec<Option<String>>,
    pub column: Vec<Option<String>>,
    pub contact_id: Vec<Option<Uuid>>,
    /// JSON.
    pub payload: Vec<Option<String>>,
    /// JSON.
    pub before: Vec<Option<String>>,
    pub version: Vec<Option<i32>>,
}

/// Writes the outcomes of a batch of records, in one statement.
pub async fn save_outcomes(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    outcomes: &PlannedOutcomes,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE import_rows r SET outcome = u.o, reason = u.r, error_column = u.c, contact_id = u.id, \
           payload = u.p, before = u.b, planned_version = u.v, after_version = NULL, rollback = NULL, \
           reason_code = u.rc, reason_params = u.rp \
         FROM imports i, unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::text[]::jsonb[], \
                                $9::text[]::jsonb[], $10::int[], $11::text[], $12::text[]::jsonb[]) \
           AS u(n, o, r, c, id, p, b, v, rc, rp) \
         WHERE i.workspace_id = $1 AND i.id = $2 AND r.import_id = i.id AND r.row_no = u.n",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Int4>, _>(&outcomes.row_no)
    .bind::<Array<Text>, _>(&outcomes.outcome)
    .bind::<Array<Nullable<Text>>, _>(&outcomes.reason)
    .bind::<Array<Nullable<Text>>, _>(&outcomes.column)
    .bind::<Array<Nullable<SqlUuid>>, _>(&outcomes.contact_id)
    .bind::<Array<Nullable<Text>>, _>(&outcomes.payload)
    .bind::<Array<Nullable<Text>>, _>(&outcomes.before)
    .bind::<Array<Nullable<Int4>>, _>(&outcomes.version)
    .bind::<Array<Nullable<Text>>, _>(&outcomes.code)
    .bind::<Array<Nullable<Text>>, _>(&outcomes.params)
    .execute(conn)
    .await
}

#[derive(Debug, QueryableByName)]
pub struct OutcomeCount {
    #[diesel(sql_type = Nullable<Text>)]
    pub outcome: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

pub async fn outcome_counts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Vec<OutcomeCount>> {
    diesel::sql_query(
        "SELECT r.outcome, count(*) AS n FROM import_rows r JOIN imports i ON i.id = r.import_id \
         WHERE i.workspace_id = $1 AND i.id = $2 GROUP BY r.outcome",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await
}

/// A page of planned records after `after` (a row number), of one outcome when given.
pub async fn planned(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    outcome: Option<&str>,
    after: i32,
    limit: i64,
) -> QueryResult<Vec<PlannedRow>> {
    let mut q = import_rows::table
        .inner_join(imports::table)
        .filter(owned!(workspace, id))
        .filter(import_rows::row_no.gt(after))
        .order(import_rows::row_no)
        .limit(limit)
        .select(PlannedRow::as_select())
        .into_boxed();
    if let Some(o) = outcome {
        q = q.filter(import_rows::outcome.eq(o.to_owned()));
    }
    q.load(conn).await
}

/// The keys under which `rapport_phone_keys` (the index of contacts' phones) files any number
/// stored with the same digits as the E.164 number `e164`: a stored number's key is its last
/// nine digits, or all of them when it has seven or eight, so the number's last seven, eight
/// and nine digits.
pub fn phone_keys(e164: &str) -> Vec<String> {
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
    (7..=9.min(digits.len()))
        .map(|n| digits[digits.len() - n..].to_owned())
        .collect()
}

#[derive(Debug, QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Live contacts that share an email, a phone key (see [`phone_keys`]) or a LinkedIn profile
/// with the file: candidates, which the plan then matches exactly; locked when `lock` (the
/// commit re-plans under the lock, so nothing changes under it).
pub async fn matching_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    emails: &[String],
    phone_keys: &[String],
    linkedin: &[String],
    lock: bool,
) -> QueryResult<Vec<ContactRow>> {
    // Each key is looked up in its index (emails, phone keys, LinkedIn keys), so the cost
    // follows the file's length rather than the workspace's size. The phone keys' index also
    // holds the workspace, every row's: the workspace is checked on the rows found instead
    // (`IS TRUE` keeps it out of the index condition), 0.3 s instead of 1.9 s for 94,000 keys.
    let ids: Vec<IdRow> = diesel::sql_query(
        "SELECT c.id FROM unnest($2::text[]) AS k(v) \
           JOIN contacts c ON c.emails @> ARRAY[k.v] AND c.workspace_id = $1 AND c.deleted_at IS NULL \
         UNION SELECT c.id FROM unnest($3::text[]) AS k(v) \
           JOIN contacts c ON rapport_phone_keys(c.phones) @> ARRAY[k.v] \
             AND (c.workspace_id = $1) IS TRUE AND c.deleted_at IS NULL \
         UNION SELECT c.id FROM unnest($4::text[]) AS k(v) \
           JOIN contacts c ON c.workspace_id = $1 AND rapport_linkedin_key(c.linkedin_url) = k.v \
             AND c.deleted_at IS NULL AND c.linkedin_url IS NOT NULL",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<Text>, _>(emails)
    .bind::<Array<Text>, _>(phone_keys)
    .bind::<Array<Text>, _>(linkedin)
    .load(conn)
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = ids.into_iter().map(|r| r.id).collect();
    let q = contacts::table
        .filter(contacts::workspace_id.eq(workspace))
        .filter(contacts::id.eq_any(ids))
        .filter(contacts::deleted_at.is_null())
        .order(contacts::id)
        .select(ContactRow::as_select());
    if lock {
        q.for_update().load(conn).await
    } else {
        q.load(conn).await
    }
}

/// Creates the companies the planned records name that do not exist yet (one per name, ignoring
/// case), and records them as the import's.
pub async fn create_companies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH wanted AS ( \
           SELECT DISTINCT ON (lower(r.payload->>'company')) r.payload->>'company' AS name \
           FROM imports i JOIN import_rows r ON r.import_id = i.id \
           WHERE i.workspace_id = $1 AND i.id = $2 AND r.outcome IN ('create', 'update') \
             AND r.payload->>'company' IS NOT NULL \
           ORDER BY lower(r.payload->>'company'), r.row_no), \
         created AS ( \
           INSERT INTO companies (id, workspace_id, name, created_at, updated_at) \
           SELECT uuid_v7(), $1, w.name, $3, $3 FROM wanted w \
           WHERE NOT EXISTS (SELECT 1 FROM companies co WHERE co.workspace_id = $1 \
             AND lower(co.name) = lower(w.name) AND co.deleted_at IS NULL) \
           ON CONFLICT (workspace_id, lower(name)) WHERE deleted_at IS NULL DO NOTHING RETURNING id, name), \
         logged AS ( \
           INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
           SELECT uuid_v7(), $1, 'company', c.id, 'created', 'Added ' || c.name || ' (import)', NULL, '{}', $3, $4, $5, \
             'company_imported', jsonb_build_object('name', c.name) FROM created c) \
         INSERT INTO import_companies (import_id, company_id) SELECT $2, c.id FROM created c",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .bind::<Nullable<SqlUuid>, _>(crate::accounts::actor::current().map(|a| a.user_id))
    .bind::<Nullable<Text>, _>(crate::accounts::actor::current().map(|a| a.name))
    .execute(conn)
    .await
}

/// The company whose name a record's values carry (`x` is `payload` or `before`).
const COMPANY: &str = "CASE WHEN x ? 'company_id' THEN (x->>'company_id')::uuid \
     WHEN x ? 'company' THEN (SELECT co.id FROM companies co WHERE co.workspace_id = $1 \
       AND lower(co.name) = lower(x->>'company') AND co.deleted_at IS NULL) \
     ELSE c.company_id END";

fn text_list(field: &str) -> String {
    format!("CASE WHEN x ? '{field}' THEN ARRAY(SELECT jsonb_array_elements_text(x->'{field}')) ELSE c.{field} END")
}

fn text(field: &str) -> String {
    format!("CASE WHEN x ? '{field}' THEN x->>'{field}' ELSE c.{field} END")
}

/// Creates the contacts of the records `from..=to` planned as creates, in one statement, with
/// their history entries.
pub async fn insert_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    (from, to): (i32, i32),
    file_name: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let actor = crate::accounts::actor::current();
    diesel::sql_query(
        "WITH created AS ( \
           INSERT INTO contacts (id, workspace_id, first_name, last_name, emails, phones, company_id, job_title, \
             website, linkedin_url, twitter_url, location, source, lifecycle, notes, tags, custom_fields, owner_id, \
             created_at, updated_at, next_follow_up_at) \
           SELECT r.contact_id, $1, x->>'first_name', coalesce(x->>'last_name', ''), \
             ARRAY(SELECT jsonb_array_elements_text(x->'emails')), ARRAY(SELECT jsonb_array_elements_text(x->'phones')), \
             (SELECT co.id FROM companies co WHERE co.workspace_id = $1 AND lower(co.name) = lower(x->>'company') \
               AND co.deleted_at IS NULL), \
             x->>'job_title', x->>'website', x->>'linkedin_url', x->>'twitter_url', x->>'location', x->>'source', \
             coalesce(x->>'lifecycle', 'lead'), x->>'notes', ARRAY(SELECT jsonb_array_elements_text(x->'tags')), \
             coalesce(x->'custom_fields', '{}'::jsonb), $7, $6, $6, \
             $6 + make_interval(days => (w.settings -> 'follow_up_cadence_days' ->> coalesce(x->>'lifecycle', 'lead'))::int) \
           FROM workspaces w, imports i JOIN import_rows r ON r.import_id = i.id CROSS JOIN LATERAL (SELECT r.payload AS x) v \
           WHERE w.id = $1 AND i.workspace_id = $1 AND i.id = $2 AND r.outcome = 'create' AND r.row_no BETWEEN $3 AND $4 \
           RETURNING id, first_name, last_name) \
         INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
         SELECT uuid_v7(), $1, 'contact', c.id, 'created', \
           'Added ' || trim(c.first_name || ' ' || c.last_name) || ' (import of ' || $5 || ')', c.id, '{}', $6, $7, $8, \
           'contact_imported', jsonb_build_object('name', trim(c.first_name || ' ' || c.last_name), 'file', $5) \
         FROM created c",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Int4, _>(from)
    .bind::<Int4, _>(to)
    .bind::<Text, _>(file_name)
    .bind::<Timestamptz, _>(now)
    .bind::<Nullable<SqlUuid>, _>(actor.as_ref().map(|a| a.user_id))
    .bind::<Nullable<Text>, _>(actor.map(|a| a.name))
    .execute(conn)
    .await
}

/// Which values [`write_values`] writes.
#[derive(Clone, Copy)]
enum Values {
    /// The planned updates' new values.
    Apply,
    /// The previous values of the updates the rollback reverts.
    Undo,
}

/// Writes the new (or previous) values to the contacts of the records `from..=to`, bumping their
/// versions, with history entries saying `summary`; returns how many contacts changed.
async fn write_values(
    conn: &mut AsyncPgConnection,
    (workspace, id): (WorkspaceId, Uuid),
    (from, to): (i32, i32),
    values: Values,
    (message, file_name): (Message, &str),
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let actor = crate::accounts::actor::current();
    let summary = message.english_sql(&[("name", "trim(c.first_name || ' ' || c.last_name)"), ("file", "$8")]);
    let (source, filter) = match values {
        // Only a contact still at the version the plan was made against.
        Values::Apply => ("payload", "r.outcome = 'update' AND c.version = r.planned_version"),
        Values::Undo => ("before", "r.rollback = 'reverted'"),
    };
    let sql = format!(
        "WITH changed AS ( \
           UPDATE contacts c SET first_name = {first}, last_name = {last}, emails = {emails}, phones = {phones}, \
             company_id = {COMPANY}, job_title = {job}, website = {web}, linkedin_url = {li}, twitter_url = {tw}, \
             location = {loc}, source = {src}, lifecycle = coalesce({life}, 'lead'), notes = {notes}, tags = {tags}, \
             custom_fields = CASE WHEN x ? 'custom_fields' THEN jsonb_strip_nulls(c.custom_fields || (x->'custom_fields')) \
               ELSE c.custom_fields END, \
             version = c.version + 1, updated_at = $5 \
           FROM imports i JOIN import_rows r ON r.import_id = i.id CROSS JOIN LATERAL (SELECT r.{source} AS x) v \
           WHERE i.workspace_id = $1 AND i.id = $2 AND {filter} AND r.row_no BETWEEN $3 AND $4 \
             AND c.workspace_id = $1 AND c.id = r.contact_id AND c.deleted_at IS NULL \
           RETURNING c.id, c.first_name, c.last_name, ARRAY(SELECT jsonb_object_keys(x)) AS fields) \
         INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
         SELECT uuid_v7(), $1, 'contact', c.id, 'updated', \
           {summary}, c.id, \
           ARRAY(SELECT f FROM unnest(c.fields) f WHERE f <> 'company_id'), $5, $6, $7, \
           '{message}', jsonb_build_object('name', trim(c.first_name || ' ' || c.last_name), 'file', $8) \
         FROM changed c",
        first = text("first_name"),
        last = text("last_name"),
        emails = text_list("emails"),
        phones = text_list("phones"),
        job = text("job_title"),
        web = text("website"),
        li = text("linkedin_url"),
        tw = text("twitter_url"),
        loc = text("location"),
        src = text("source"),
        life = text("lifecycle"),
        notes = text("notes"),
        tags = text_list("tags"),
        message = message.as_str(),
    );
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace)
        .bind::<SqlUuid, _>(id)
        .bind::<Int4, _>(from)
        .bind::<Int4, _>(to)
        .bind::<Timestamptz, _>(now)
        .bind::<Nullable<SqlUuid>, _>(actor.as_ref().map(|a| a.user_id))
        .bind::<Nullable<Text>, _>(actor.map(|a| a.name))
        .bind::<Text, _>(file_name)
        .execute(conn)
        .await
}

/// Applies the planned updates of records `from..=to`.
pub async fn update_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    range: (i32, i32),
    file_name: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let words = (Message::ContactImportUpdated, file_name);
    write_values(conn, (workspace, id), range, Values::Apply, words, now).await
}

/// A batch of records a commit wrote: its first and last record, and how many contacts it
/// created and updated.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct WrittenBatch {
    pub first_row: i32,
    pub last_row: i32,
    pub created: i32,
    pub updated: i32,
}

impl WrittenBatch {
    /// How many records of the file the batch covers.
    pub fn records(&self) -> i64 {
        i64::from(self.last_row - self.first_row + 1)
    }
}

/// The batches of records the import's commit has written so far, in record order.
pub async fn written_batches(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Vec<WrittenBatch>> {
    import_batches::table
        .inner_join(imports::table)
        .filter(imports::workspace_id.eq(workspace))
        .filter(import_batches::import_id.eq(id))
        .select((
            import_batches::first_row,
            import_batches::last_row,
            import_batches::created,
            import_batches::updated,
        ))
        .order(import_batches::first_row)
        .load(conn)
        .await
}

/// Records that the batch `from..=to` was written, in the transaction that wrote it.
pub async fn record_batch(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    (from, to): (i32, i32),
    (created, updated): (i32, i32),
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO import_batches (import_id, first_row, last_row, created, updated, written_at) \
         SELECT i.id, $3, $4, $5, $6, $7 FROM imports i WHERE i.workspace_id = $1 AND i.id = $2",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Int4, _>(from)
    .bind::<Int4, _>(to)
    .bind::<Int4, _>(created)
    .bind::<Int4, _>(updated)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
}

/// Before the updates of records `from..=to` are written: locks their contacts, and turns the
/// records whose contact moved since the plan (edited, trashed or gone) into errors, so that
/// what the plan decided is never written over a newer edit. Returns how many were set aside.
pub async fn set_aside_moved_updates(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    (from, to): (i32, i32),
) -> QueryResult<usize> {
    let _: Vec<IdRow> = diesel::sql_query(
        "SELECT c.id FROM contacts c JOIN import_rows r ON r.contact_id = c.id JOIN imports i ON i.id = r.import_id \
         WHERE i.workspace_id = $1 AND i.id = $2 AND r.outcome = 'update' AND r.row_no BETWEEN $3 AND $4 \
           AND c.workspace_id = $1 \
         ORDER BY c.id FOR UPDATE OF c",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Int4, _>(from)
    .bind::<Int4, _>(to)
    .load(conn)
    .await?;
    diesel::sql_query(
        "UPDATE import_rows r SET outcome = 'error', error_column = NULL, \
           reason = 'Changed by someone else while the import ran; not updated', \
           reason_code = 'changed_during_import', reason_params = '{}'::jsonb \
         FROM imports i WHERE i.workspace_id = $1 AND i.id = $2 AND r.import_id = i.id \
           AND r.outcome = 'update' AND r.row_no BETWEEN $3 AND $4 \
           AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = $1 AND c.id = r.contact_id \
             AND c.version = r.planned_version AND c.deleted_at IS NULL)",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Int4, _>(from)
    .bind::<Int4, _>(to)
    .execute(conn)
    .await
}

/// How many records among `from..=to` are planned as updates.
pub async fn planned_updates(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    (from, to): (i32, i32),
) -> QueryResult<i64> {
    import_rows::table
        .inner_join(imports::table)
        .filter(imports::workspace_id.eq(workspace))
        .filter(import_rows::import_id.eq(id))
        .filter(import_rows::outcome.eq("update"))
        .filter(import_rows::row_no.between(from, to))
        .count()
        .get_result(conn)
        .await
}

/// The contacts' versions right after the updates of records `from..=to` were written.
pub async fn record_versions(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    (from, to): (i32, i32),
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE import_rows r SET after_version = c.version FROM imports i, contacts c \
         WHERE i.workspace_id = $1 AND i.id = $2 AND r.import_id = i.id AND r.outcome = 'update' \
           AND r.row_no BETWEEN $3 AND $4 AND c.workspace_id = $1 AND c.id = r.contact_id",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Int4, _>(from)
    .bind::<Int4, _>(to)
    .execute(conn)
    .await
}

/// How many companies the import created.
pub async fn created_companies(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<i64> {
    import_companies::table
        .inner_join(imports::table)
        .filter(imports::workspace_id.eq(workspace))
        .filter(import_companies::import_id.eq(id))
        .count()
        .get_result(conn)
        .await
}

/// After the commit: each written contact's version, which a rollback compares against, and
/// the follow-up dates of the contacts the import touched.
pub async fn finish_commit(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<usize> {
    record_versions(conn, workspace, id, (1, i32::MAX)).await?;
    refresh_updated_follow_ups(conn, workspace, id).await
}

/// The follow-up dates of the contacts the import updated (new contacts got theirs when
/// written; an update, or its rollback, may have changed a stage).
pub async fn refresh_updated_follow_ups(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<usize> {
    let ids = touched_contacts(conn, workspace, id, "update").await?;
    crate::contacts::store::refresh_follow_ups(conn, workspace, &ids).await
}

/// Decides, under a lock on the contacts, what the rollback does with each written record:
/// `removed`/`reverted` when the contact is as the import left it, `kept_changed` when it was
/// edited since, `kept_missing` when it is gone or in the trash.
pub async fn plan_rollback(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<usize> {
    let _: Vec<IdRow> = diesel::sql_query(
        "SELECT c.id FROM contacts c JOIN import_rows r ON r.contact_id = c.id JOIN imports i ON i.id = r.import_id \
         WHERE i.workspace_id = $1 AND i.id = $2 AND r.outcome IN ('create', 'update') AND c.workspace_id = $1 \
           AND (i.status <> 'failed' OR EXISTS (SELECT 1 FROM import_batches b WHERE b.import_id = i.id \
           AND r.row_no BETWEEN b.first_row AND b.last_row)) \
         FOR UPDATE OF c",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?;
    diesel::sql_query(
        "UPDATE import_rows r SET rollback = CASE \
           WHEN c.id IS NULL OR c.deleted_at IS NOT NULL THEN 'kept_missing' \
           WHEN c.version IS DISTINCT FROM coalesce(r.after_version, CASE WHEN r.outcome = 'create' THEN 1 END) \
             THEN 'kept_changed' \
           WHEN r.outcome = 'create' THEN 'removed' ELSE 'reverted' END \
         FROM imports i, import_rows r2 LEFT JOIN contacts c ON c.id = r2.contact_id AND c.workspace_id = $1 \
         WHERE i.workspace_id = $1 AND i.id = $2 AND r.import_id = i.id AND r2.import_id = r.import_id \
           AND r2.row_no = r.row_no AND r.outcome IN ('create', 'update') AND (i.status <> 'failed' OR EXISTS (SELECT 1 FROM import_batches b WHERE b.import_id = i.id \
           AND r.row_no BETWEEN b.first_row AND b.last_row))",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await
}

/// Moves the contacts of records `from..=to` that the import created (and nobody changed since)
/// to the trash.
pub async fn remove_created(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    (from, to): (i32, i32),
    file_name: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let actor = crate::accounts::actor::current();
    diesel::sql_query(
        "WITH trashed AS ( \
           UPDATE contacts c SET deleted_at = $3, updated_at = $3, version = c.version + 1 \
           FROM imports i JOIN import_rows r ON r.import_id = i.id \
           WHERE i.workspace_id = $1 AND i.id = $2 AND r.outcome = 'create' AND r.row_no BETWEEN $7 AND $8 \
             AND r.rollback = 'removed' AND c.workspace_id = $1 AND c.id = r.contact_id AND c.deleted_at IS NULL \
           RETURNING c.id, c.first_name, c.last_name) \
         INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
         SELECT uuid_v7(), $1, 'contact', c.id, 'trashed', \
           'Removed ' || trim(c.first_name || ' ' || c.last_name) || ' (rollback of the import of ' || $4 || ')', c.id, '{}', $3, $5, $6, \
           'contact_import_removed', jsonb_build_object('name', trim(c.first_name || ' ' || c.last_name), 'file', $4) \
         FROM trashed c",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(file_name)
    .bind::<Nullable<SqlUuid>, _>(actor.as_ref().map(|a| a.user_id))
    .bind::<Nullable<Text>, _>(actor.map(|a| a.name))
    .bind::<Int4, _>(from)
    .bind::<Int4, _>(to)
    .execute(conn)
    .await
}

/// Gives the contacts of records `from..=to` that the import updated (and nobody changed since)
/// their previous values back.
pub async fn revert_updated(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    range: (i32, i32),
    file_name: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let words = (Message::ContactImportReverted, file_name);
    write_values(conn, (workspace, id), range, Values::Undo, words, now).await
}

/// Moves the companies the import created to the trash when no live contact or deal uses them
/// and nobody edited them.
pub async fn remove_created_companies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let actor = crate::accounts::actor::current();
    diesel::sql_query(
        "WITH trashed AS ( \
           UPDATE companies co SET deleted_at = $3, updated_at = $3, version = co.version + 1 \
           FROM imports i JOIN import_companies ic ON ic.import_id = i.id \
           WHERE i.workspace_id = $1 AND i.id = $2 AND co.id = ic.company_id AND co.workspace_id = $1 \
             AND co.deleted_at IS NULL AND co.version = 1 \
             AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.company_id = co.id AND c.deleted_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.company_id = co.id AND d.deleted_at IS NULL) \
           RETURNING co.id, co.name) \
         INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
         SELECT uuid_v7(), $1, 'company', t.id, 'trashed', 'Removed ' || t.name || ' (import rollback)', NULL, '{}', $3, $4, $5, \
           'company_import_removed', jsonb_build_object('name', t.name) \
         FROM trashed t",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .bind::<Nullable<SqlUuid>, _>(actor.as_ref().map(|a| a.user_id))
    .bind::<Nullable<Text>, _>(actor.map(|a| a.name))
    .execute(conn)
    .await
}

pub async fn rollback_counts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Vec<OutcomeCount>> {
    diesel::sql_query(
        "SELECT r.rollback AS outcome, count(*) AS n FROM import_rows r JOIN imports i ON i.id = r.import_id \
         WHERE i.workspace_id = $1 AND i.id = $2 AND r.rollback IS NOT NULL GROUP BY r.rollback",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await
}

/// The contacts of the import's records with this outcome (`create` or `update`).
async fn touched_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    outcome: &str,
) -> QueryResult<Vec<Uuid>> {
    let ids: Vec<IdRow> = diesel::sql_query(
        "SELECT r.contact_id AS id FROM import_rows r JOIN imports i ON i.id = r.import_id \
         WHERE i.workspace_id = $1 AND i.id = $2 AND r.outcome = $3 AND r.contact_id IS NOT NULL",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(outcome)
    .load(conn)
    .await?;
    Ok(ids.into_iter().map(|r| r.id).collect())
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    flag: bool,
}

/// Whether the workspace holds any record of its own (in the trash or not) — pipelines and
/// templates aside, which every new workspace starts with.
pub async fn workspace_has_records(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<bool> {
    let row: Flag = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM contacts WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM companies WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM deals WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM products WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM payments WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM custom_field_definitions WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM sequences WHERE workspace_id = $1) \
             OR EXISTS (SELECT 1 FROM forms WHERE workspace_id = $1) AS flag",
    )
    .bind::<SqlUuid, _>(workspace)
    .get_result(conn)
    .await?;
    Ok(row.flag)
}

/// Removes the pipelines, stages and templates a new workspace starts with (a restore brings
/// the archive's own); only called on a workspace without deals.
pub async fn clear_starter_records(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<usize> {
    let mut n = diesel::sql_query("DELETE FROM pipeline_stages WHERE workspace_id = $1")
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await?;
    for table in ["pipelines", "email_templates"] {
        n += diesel::sql_query(format!("DELETE FROM {table} WHERE workspace_id = $1"))
            .bind::<SqlUuid, _>(workspace)
            .execute(conn)
            .await?;
    }
    Ok(n)
}

/// Inserts restored records (a JSON array of objects with these columns) into `table`; tables
/// with a `workspace_id` get `workspace`'s. Column names are the table's own (checked by the
/// caller against `exports::store::columns`).
pub async fn restore_rows(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    table: &str,
    columns: &[String],
    owned_by_workspace: bool,
    rows: &serde_json::Value,
) -> QueryResult<usize> {
    let quoted: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    let (target, source) = if owned_by_workspace {
        (
            format!("workspace_id, {}", quoted.join(", ")),
            format!(
                "$1, {}",
                quoted.iter().map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ")
            ),
        )
    } else {
        (
            quoted.join(", "),
            quoted.iter().map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", "),
        )
    };
    let sql =
        format!("INSERT INTO {table} ({target}) SELECT {source} FROM jsonb_populate_recordset(NULL::{table}, $2) r");
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(workspace)
        .bind::<Jsonb, _>(rows)
        .execute(conn)
        .await
}

/// The restored workspace's settings (its name stays).
pub async fn restore_settings(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    settings: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::sql_query("UPDATE workspaces SET settings = $2 WHERE id = $1")
        .bind::<SqlUuid, _>(workspace)
        .bind::<Jsonb, _>(settings)
        .execute(conn)
        .await
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = import_mappings, check_for_backend(Pg))]
pub struct MappingRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub mapping: serde_json::Value,
    pub policy: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The workspace's saved mappings, by name.
pub async fn mappings(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<MappingRow>> {
    import_mappings::table
        .filter(import_mappings::workspace_id.eq(workspace))
        .select(MappingRow::as_select())
        .order((import_mappings::name.asc(), import_mappings::id.asc()))
        .limit(500)
        .load(conn)
        .await
}

/// Saves a mapping; `None` when the workspace has one of that name already (any case).
pub async fn insert_mapping(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    row: &MappingRow,
) -> QueryResult<Option<MappingRow>> {
    debug_assert_eq!(row.workspace_id, workspace);
    diesel::insert_into(import_mappings::table)
        .values(row)
        .on_conflict_do_nothing()
        .returning(MappingRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn delete_mapping(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        import_mappings::table.filter(
            import_mappings::workspace_id
                .eq(workspace)
                .and(import_mappings::id.eq(id)),
        ),
    )
    .execute(conn)
    .await
}

// ---- Email and calendar imports ----

/// The records of an email or calendar import without their bodies (what planning reads):
/// Type … Subject, an empty Body, Duration.
pub async fn message_heads(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Vec<(i32, Vec<String>)>> {
    import_rows::table
        .inner_join(imports::table)
        .filter(owned!(workspace, id))
        .order(import_rows::row_no)
        .select((
            import_rows::row_no,
            diesel::dsl::sql::<Array<Text>>("import_rows.cells[1:7] || ARRAY['']::text[] || import_rows.cells[9:9]"),
        ))
        .load(conn)
        .await
}

#[derive(QueryableByName)]
struct EmailRow {
    #[diesel(sql_type = Text)]
    email: String,
}

/// The workspace members' addresses (lower case): the user's own side of every message.
pub async fn member_emails(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<String>> {
    let rows: Vec<EmailRow> = diesel::sql_query(
        "SELECT lower(u.email) AS email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1",
    )
    .bind::<SqlUuid, _>(workspace)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.email).collect())
}

#[derive(QueryableByName)]
pub struct EmailOwner {
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
}

/// Live contacts that have one of `emails` (lower case), oldest contact first for each address.
pub async fn contacts_by_email(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    emails: &[String],
) -> QueryResult<Vec<EmailOwner>> {
    diesel::sql_query(
        "SELECT DISTINCT ON (k.v) k.v AS email, c.id, trim(c.first_name || ' ' || c.last_name) AS name \
         FROM contacts c CROSS JOIN LATERAL unnest(c.emails) AS e(v) JOIN unnest($2::text[]) AS k(v) ON k.v = lower(e.v) \
         WHERE c.workspace_id = $1 AND c.deleted_at IS NULL ORDER BY k.v, c.created_at, c.id",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<Text>, _>(emails)
    .load(conn)
    .await
}

#[derive(QueryableByName)]
pub struct ImportedRef {
    #[diesel(sql_type = SqlUuid)]
    pub contact_id: Uuid,
    #[diesel(sql_type = Text)]
    pub external_ref: String,
}

/// Which contacts already have an interaction with one of these Message-IDs/UIDs.
pub async fn imported_refs(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    refs: &[String],
) -> QueryResult<Vec<ImportedRef>> {
    diesel::sql_query(
        "SELECT i.contact_id, i.external_ref FROM interactions i JOIN unnest($2::text[]) AS k(v) ON k.v = i.external_ref \
         WHERE i.workspace_id = $1",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<Text>, _>(refs)
    .load(conn)
    .await
}

/// Creates the contacts an email or calendar import makes for unmatched addresses (lifecycle
/// `lead`, the address as their email), with their history entries.
pub async fn insert_address_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    people: &[super::messages::NewPerson],
    file_name: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let actor = crate::accounts::actor::current();
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let emails: Vec<&str> = people.iter().map(|p| p.email.as_str()).collect();
    let first: Vec<&str> = people.iter().map(|p| p.first_name.as_str()).collect();
    let last: Vec<&str> = people.iter().map(|p| p.last_name.as_str()).collect();
    diesel::sql_query(
        "WITH created AS ( \
           INSERT INTO contacts (id, workspace_id, first_name, last_name, emails, source, lifecycle, owner_id, \
             created_at, updated_at, next_follow_up_at) \
           SELECT p.id, $1, p.first, p.last, ARRAY[p.email], 'inbound_email', 'lead', $8, $6, $6, \
             $6 + make_interval(days => (w.settings -> 'follow_up_cadence_days' ->> 'lead')::int) \
           FROM workspaces w, unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS p(id, email, first, last) \
           WHERE w.id = $1 \
           RETURNING id, first_name, last_name) \
         INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
         SELECT uuid_v7(), $1, 'contact', c.id, 'created', \
           'Added ' || trim(c.first_name || ' ' || c.last_name) || ' (import of ' || $7 || ')', c.id, '{}', $6, $8, $9, \
           'contact_imported', jsonb_build_object('name', trim(c.first_name || ' ' || c.last_name), 'file', $7) \
         FROM created c",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<Text>, _>(emails)
    .bind::<Array<Text>, _>(first)
    .bind::<Array<Text>, _>(last)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(file_name)
    .bind::<Nullable<SqlUuid>, _>(actor.as_ref().map(|a| a.user_id))
    .bind::<Nullable<Text>, _>(actor.map(|a| a.name))
    .execute(conn)
    .await
}

/// Adds the interactions of the records `from..=to` planned as creates — one per contact the
/// message concerns, unless that contact has the message already — with their history entries,
/// and records them as the import's; returns how many were added.
pub async fn insert_interactions(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    (from, to): (i32, i32),
    file_name: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let actor = crate::accounts::actor::current();
    diesel::sql_query(
        "WITH added AS ( \
           INSERT INTO interactions (id, workspace_id, contact_id, kind, direction, occurred_at, subject, body, \
             duration_minutes, external_ref, created_at, updated_at) \
           SELECT (t->>'interaction_id')::uuid, $1, (t->>'contact_id')::uuid, x->>'kind', x->>'direction', \
             (x->>'occurred_at')::timestamptz, x->>'subject', nullif(r.cells[8], ''), nullif(r.cells[9], '')::int, \
             x->>'external_ref', $6, $6 \
           FROM imports i JOIN import_rows r ON r.import_id = i.id CROSS JOIN LATERAL (SELECT r.payload AS x) v \
             CROSS JOIN LATERAL jsonb_array_elements(x->'targets') AS t \
           WHERE i.workspace_id = $1 AND i.id = $2 AND r.outcome = 'create' AND r.row_no BETWEEN $3 AND $4 \
           ON CONFLICT (contact_id, external_ref) WHERE external_ref IS NOT NULL DO NOTHING \
           RETURNING id, contact_id, kind, subject), \
         logged AS ( \
           INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
           SELECT uuid_v7(), $1, 'interaction', a.id, 'created', \
             'Logged ' || CASE a.kind WHEN 'email' THEN 'an email' ELSE 'a meeting' END || ' with ' \
               || trim(c.first_name || ' ' || c.last_name) || coalesce(': ' || a.subject, '') || ' (import of ' || $5 || ')', \
             a.contact_id, '{}', $6, $7, $8, \
             CASE WHEN a.subject IS NULL THEN 'interaction_imported' ELSE 'interaction_imported_subject' END, \
             jsonb_strip_nulls(jsonb_build_object('kind', a.kind, 'name', trim(c.first_name || ' ' || c.last_name), \
               'subject', a.subject, 'file', $5)) \
           FROM added a JOIN contacts c ON c.id = a.contact_id) \
         INSERT INTO import_interactions (import_id, interaction_id) SELECT $2, a.id FROM added a",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Int4, _>(from)
    .bind::<Int4, _>(to)
    .bind::<Text, _>(file_name)
    .bind::<Timestamptz, _>(now)
    .bind::<Nullable<SqlUuid>, _>(actor.as_ref().map(|a| a.user_id))
    .bind::<Nullable<Text>, _>(actor.map(|a| a.name))
    .execute(conn)
    .await
}

/// The contacts an email or calendar import added interactions to.
pub async fn interaction_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Vec<Uuid>> {
    let ids: Vec<IdRow> = diesel::sql_query(
        "SELECT DISTINCT x.contact_id AS id FROM import_interactions ii JOIN imports i ON i.id = ii.import_id \
           JOIN interactions x ON x.id = ii.interaction_id \
         WHERE i.workspace_id = $1 AND i.id = $2 AND x.workspace_id = $1",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?;
    Ok(ids.into_iter().map(|r| r.id).collect())
}

/// Records the contacts an email or calendar import created, at their version now (a rollback
/// leaves one alone once it moved).
pub async fn record_import_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    contacts: &[Uuid],
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO import_contacts (import_id, contact_id, version) \
         SELECT i.id, c.id, c.version FROM imports i JOIN contacts c ON c.workspace_id = i.workspace_id \
         WHERE i.workspace_id = $1 AND i.id = $2 AND c.id = ANY($3)",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Array<SqlUuid>, _>(contacts)
    .execute(conn)
    .await
}

#[derive(QueryableByName)]
pub struct RemovedKept {
    #[diesel(sql_type = BigInt)]
    pub removed: i64,
    #[diesel(sql_type = BigInt)]
    pub kept: i64,
}

/// Deletes the interactions an email or calendar import added and nobody edited since (with
/// history entries); (deleted, kept because edited).
pub async fn remove_imported_interactions(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    file_name: &str,
    now: DateTime<Utc>,
) -> QueryResult<RemovedKept> {
    let actor = crate::accounts::actor::current();
    diesel::sql_query(
        "WITH mine AS ( \
           SELECT x.id, x.version FROM import_interactions ii JOIN imports i ON i.id = ii.import_id \
             JOIN interactions x ON x.id = ii.interaction_id \
           WHERE i.workspace_id = $1 AND i.id = $2 AND x.workspace_id = $1 FOR UPDATE OF x), \
         removed AS ( \
           DELETE FROM interactions x USING mine m WHERE x.id = m.id AND m.version = 1 \
           RETURNING x.id, x.contact_id, x.kind), \
         logged AS ( \
           INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
           SELECT uuid_v7(), $1, 'interaction', r.id, 'deleted', \
             'Deleted ' || CASE r.kind WHEN 'email' THEN 'an email' ELSE 'a meeting' END || ' with ' \
               || trim(c.first_name || ' ' || c.last_name) || ' (rollback of the import of ' || $4 || ')', \
             r.contact_id, '{}', $3, $5, $6, 'interaction_import_removed', \
             jsonb_build_object('kind', r.kind, 'name', trim(c.first_name || ' ' || c.last_name), 'file', $4) \
           FROM removed r JOIN contacts c ON c.id = r.contact_id) \
         SELECT (SELECT count(*) FROM removed) AS removed, (SELECT count(*) FROM mine WHERE version <> 1) AS kept",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(file_name)
    .bind::<Nullable<SqlUuid>, _>(actor.as_ref().map(|a| a.user_id))
    .bind::<Nullable<Text>, _>(actor.map(|a| a.name))
    .get_result(conn)
    .await
}

/// Moves to the trash the contacts an email or calendar import created that nobody changed
/// since and that have no interaction left; (trashed, kept).
pub async fn remove_import_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    file_name: &str,
    now: DateTime<Utc>,
) -> QueryResult<RemovedKept> {
    let actor = crate::accounts::actor::current();
    diesel::sql_query(
        "WITH mine AS ( \
           SELECT c.id, (c.version = ic.version AND c.deleted_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM interactions x WHERE x.contact_id = c.id)) AS untouched, \
             c.deleted_at IS NOT NULL AS gone \
           FROM import_contacts ic JOIN imports i ON i.id = ic.import_id JOIN contacts c ON c.id = ic.contact_id \
           WHERE i.workspace_id = $1 AND i.id = $2 AND c.workspace_id = $1 FOR UPDATE OF c), \
         trashed AS ( \
           UPDATE contacts c SET deleted_at = $3, updated_at = $3, version = c.version + 1 \
           FROM mine m WHERE c.id = m.id AND m.untouched \
           RETURNING c.id, c.first_name, c.last_name), \
         logged AS ( \
           INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, occurred_at, actor_id, actor_name, \
           message, params) \
           SELECT uuid_v7(), $1, 'contact', c.id, 'trashed', \
             'Removed ' || trim(c.first_name || ' ' || c.last_name) || ' (rollback of the import of ' || $4 || ')', c.id, '{}', $3, $5, $6, \
             'contact_import_removed', jsonb_build_object('name', trim(c.first_name || ' ' || c.last_name), 'file', $4) \
           FROM trashed c) \
         SELECT (SELECT count(*) FROM trashed) AS removed, (SELECT count(*) FROM mine WHERE NOT untouched AND NOT gone) AS kept",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .bind::<Text, _>(file_name)
    .bind::<Nullable<SqlUuid>, _>(actor.as_ref().map(|a| a.user_id))
    .bind::<Nullable<Text>, _>(actor.map(|a| a.name))
    .get_result(conn)
    .await
}
