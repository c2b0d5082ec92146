//! The SQL of bulk changes: each change is one statement over the selected records (saving each
//! record's values before it, writing one history entry per record), and so is its undo.

use crate::activity::message::{Message, Summary};
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::BulkKind;
use crate::db::WorkspaceId;
use crate::db::schema::bulk_batches;

/// A change, as SQL over a record `t` of the kind's table (`$6` is the change's parameter as
/// JSON: tags, a lifecycle, an owner id, or a custom field's `{key, value}`).
pub struct Change {
    /// The values the change replaces, as JSON (kept for the undo).
    pub before: &'static str,
    /// `SET` assignments.
    pub set: &'static str,
    /// Whether the record is in scope: live, or in the trash for a restore.
    pub scope: &'static str,
    /// Whether the change would change the record at all.
    pub changes: &'static str,
    /// Why the change is refused for the record (NULL when it is not), checked in scope.
    pub refused: &'static str,
    /// The undo's `SET` assignments from `b.before`.
    pub undo: &'static str,
    /// The history entry's action.
    pub action: &'static str,
    /// A statement run with the change over `changed c JOIN found f` (the deal's stage history),
    /// or "".
    pub extra: &'static str,
    /// A statement run with the undo over `back t` (`$4` is the change's parameter), or "".
    pub undo_extra: &'static str,
}

pub const LIVE: &str = "t.deleted_at IS NULL";
const IN_TRASH: &str = "t.deleted_at IS NOT NULL \
     AND NOT EXISTS (SELECT 1 FROM merges m WHERE m.merged_id = t.id AND m.undone_at IS NULL)";

pub const ADD_TAGS: Change = Change {
    before: "jsonb_build_object('tags', to_jsonb(t.tags))",
    set: "tags = t.tags || ARRAY(SELECT x FROM jsonb_array_elements_text($6) x WHERE x <> ALL (t.tags))",
    scope: LIVE,
    changes: "EXISTS (SELECT 1 FROM jsonb_array_elements_text($6) x WHERE x <> ALL (t.tags))",
    refused: "CASE WHEN cardinality(t.tags) + (SELECT count(*) FROM jsonb_array_elements_text($6) x WHERE x <> ALL (t.tags)) > 30 \
              THEN 'a contact has at most 30 tags' END",
    undo: "tags = ARRAY(SELECT jsonb_array_elements_text(b.before -> 'tags'))",
    action: "updated",
    extra: "",
    undo_extra: "",
};

pub const REMOVE_TAGS: Change = Change {
    before: "jsonb_build_object('tags', to_jsonb(t.tags))",
    set: "tags = ARRAY(SELECT x FROM unnest(t.tags) WITH ORDINALITY AS u(x, n) \
          WHERE x NOT IN (SELECT jsonb_array_elements_text($6)) ORDER BY n)",
    scope: LIVE,
    changes: "t.tags && ARRAY(SELECT jsonb_array_elements_text($6))",
    refused: "NULL",
    undo: "tags = ARRAY(SELECT jsonb_array_elements_text(b.before -> 'tags'))",
    action: "updated",
    extra: "",
    undo_extra: "",
};

pub const SET_LIFECYCLE: Change = Change {
    before: "jsonb_build_object('lifecycle', t.lifecycle)",
    set: "lifecycle = $6 #>> '{}'",
    scope: LIVE,
    changes: "t.lifecycle IS DISTINCT FROM $6 #>> '{}'",
    refused: "NULL",
    undo: "lifecycle = b.before ->> 'lifecycle'",
    action: "updated",
    extra: "",
    undo_extra: "",
};

pub const SET_OWNER: Change = Change {
    before: "jsonb_build_object('owner_id', t.owner_id)",
    set: "owner_id = ($6 #>> '{}')::uuid",
    scope: LIVE,
    changes: "t.owner_id IS DISTINCT FROM ($6 #>> '{}')::uuid",
    refused: "NULL",
    undo: "owner_id = (b.before ->> 'owner_id')::uuid",
    action: "updated",
    extra: "",
    undo_extra: "",
};

/// `$6` is `{"key": …, "value": …}`; a `null` value clears the field.
pub const SET_CUSTOM_FIELD: Change = Change {
    before: "CASE WHEN t.custom_fields ? ($6 ->> 'key') \
             THEN jsonb_build_object('value', t.custom_fields -> ($6 ->> 'key')) ELSE '{}'::jsonb END",
    set: "custom_fields = CASE WHEN jsonb_typeof($6 -> 'value') = 'null' THEN t.custom_fields - ($6 ->> 'key') \
          ELSE jsonb_set(t.custom_fields, ARRAY[$6 ->> 'key'], $6 -> 'value') END",
    scope: LIVE,
    changes: "t.custom_fields -> ($6 ->> 'key') IS DISTINCT FROM \
              CASE WHEN jsonb_typeof($6 -> 'value') = 'null' THEN NULL ELSE $6 -> 'value' END",
    refused: "NULL",
    undo: "custom_fields = CASE WHEN b.before ? 'value' \
           THEN jsonb_set(t.custom_fields, ARRAY[$4 ->> 'key'], b.before -> 'value') \
           ELSE t.custom_fields - ($4 ->> 'key') END",
    action: "updated",
    extra: "",
    undo_extra: "",
};

pub const TRASH: Change = Change {
    before: "jsonb_build_object('deleted_at', t.deleted_at)",
    set: "deleted_at = $3",
    scope: LIVE,
    changes: "true",
    refused: "NULL",
    undo: "deleted_at = (b.before ->> 'deleted_at')::timestamptz",
    action: "trashed",
    extra: "",
    undo_extra: "",
};

pub const RESTORE: Change = Change {
    before: "jsonb_build_object('deleted_at', t.deleted_at)",
    set: "deleted_at = NULL",
    scope: IN_TRASH,
    changes: "true",
    refused: "NULL",
    undo: "deleted_at = (b.before ->> 'deleted_at')::timestamptz",
    action: "restored",
    extra: "",
    undo_extra: "",
};

/// Deals: `$6` is `{stage_id, pipeline_id, status}` — the stage, its pipeline, and the status its
/// kind gives. Each move is written to the deal's stage history, and so is the move back.
pub const SET_STAGE: Change = Change {
    before: "jsonb_build_object('stage_id', t.stage_id, 'pipeline_id', t.pipeline_id, 'status', t.status, \
             'stage_changed_at', t.stage_changed_at, 'closed_at', t.closed_at, 'lost_reason', t.lost_reason)",
    set: "stage_id = ($6 ->> 'stage_id')::uuid, pipeline_id = ($6 ->> 'pipeline_id')::uuid, status = $6 ->> 'status', \
          stage_changed_at = $3, closed_at = CASE WHEN $6 ->> 'status' = 'open' THEN NULL ELSE coalesce(t.closed_at, $3) END, \
          lost_reason = CASE WHEN $6 ->> 'status' = 'lost' THEN t.lost_reason ELSE NULL END",
    scope: LIVE,
    changes: "t.stage_id IS DISTINCT FROM ($6 ->> 'stage_id')::uuid",
    refused: "NULL",
    undo: "stage_id = (b.before ->> 'stage_id')::uuid, pipeline_id = (b.before ->> 'pipeline_id')::uuid, \
           status = b.before ->> 'status', stage_changed_at = (b.before ->> 'stage_changed_at')::timestamptz, \
           closed_at = (b.before ->> 'closed_at')::timestamptz, lost_reason = b.before ->> 'lost_reason'",
    action: "updated",
    extra: "INSERT INTO deal_stage_history (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at) \
            SELECT gen_random_uuid(), $1, c.id, (f.before ->> 'stage_id')::uuid, ($6 ->> 'stage_id')::uuid, $3 \
            FROM changed c JOIN found f ON f.id = c.id",
    undo_extra: "INSERT INTO deal_stage_history (id, workspace_id, deal_id, from_stage_id, to_stage_id, changed_at) \
                 SELECT gen_random_uuid(), $1, t.id, ($4 ->> 'stage_id')::uuid, (b.before ->> 'stage_id')::uuid, $3 \
                 FROM back t JOIN bulk_items b ON b.batch_id = $2 AND b.record_id = t.id",
};

/// The table of `kind`'s records.
pub fn table(kind: BulkKind) -> &'static str {
    match kind {
        BulkKind::Contact => "contacts",
        BulkKind::Company => "companies",
        BulkKind::Deal => "deals",
    }
}

/// A record's name for the history, from `t`.
fn name(kind: BulkKind) -> &'static str {
    match kind {
        BulkKind::Contact => "trim(t.first_name || ' ' || t.last_name)",
        BulkKind::Company => "t.name",
        BulkKind::Deal => "t.title",
    }
}

/// The contact an entry about `t` concerns.
fn contact(kind: BulkKind) -> &'static str {
    match kind {
        BulkKind::Contact => "t.id",
        BulkKind::Company => "NULL::uuid",
        BulkKind::Deal => "t.contact_id",
    }
}

/// The history's words for a change to one record: its message, and the SQL of its English
/// summary and of its parameters (over `t.name`, and `$8` the word for what changed).
fn words(change: &Change) -> (Message, String, &'static str) {
    let (message, params) = match change.action {
        "trashed" => (Message::Trashed, "jsonb_build_object('name', t.name)"),
        "restored" => (Message::Restored, "jsonb_build_object('name', t.name)"),
        _ => (Message::Updated, "jsonb_build_object('name', t.name, 'fields', $8)"),
    };
    (
        message,
        message.english_sql(&[("name", "t.name"), ("fields", "$8")]),
        params,
    )
}

#[derive(QueryableByName)]
pub struct Outcome {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Changed by this statement.
    #[diesel(sql_type = Bool)]
    pub updated: bool,
    /// In the trash (outside the change's scope).
    #[diesel(sql_type = Bool)]
    pub trashed: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub refused: Option<String>,
}

/// What identifies the batch and its author in the statements.
pub struct Batch<'a> {
    pub id: Uuid,
    pub kind: BulkKind,
    pub now: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<&'a str>,
    /// The history's words for what changed ("tags"), for updates.
    pub fields: &'a str,
}

/// Applies `change` (with its parameter) to the workspace's records among `ids`, in one
/// statement: locks them, saves each one's values before, changes those it would change and are
/// not refused, writes one history entry each. Returns every existing record among `ids` with
/// what happened to it (ids not listed do not exist in the workspace).
pub async fn apply(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    batch: &Batch<'_>,
    change: &Change,
    param: &serde_json::Value,
    ids: &[Uuid],
) -> QueryResult<Vec<Outcome>> {
    let (table, name, contact) = (table(batch.kind), name(batch.kind), contact(batch.kind));
    let (message, summary, params) = words(change);
    let Change {
        before,
        set,
        scope,
        changes,
        refused,
        action,
        ..
    } = change;
    let entity = batch.kind.as_str();
    let extra = match change.extra {
        "" => String::new(),
        sql => format!(", extra AS ({sql})"),
    };
    diesel::sql_query(format!(
        "WITH found AS ( \
           SELECT t.id, ({scope}) AS in_scope, CASE WHEN ({scope}) THEN {refused} END AS refused, \
                  ({scope}) AND ({changes}) AS changes, {before} AS before \
           FROM {table} t WHERE t.workspace_id = $1 AND t.id = ANY($2) FOR UPDATE), \
         changed AS ( \
           UPDATE {table} t SET {set}, version = t.version + 1, updated_at = $3 \
           FROM found f WHERE t.id = f.id AND f.changes AND f.refused IS NULL \
           RETURNING t.id, t.version, {name} AS name, {contact} AS contact_id), \
         saved AS ( \
           INSERT INTO bulk_items (batch_id, record_id, before, version_after) \
           SELECT $4, c.id, f.before, c.version FROM changed c JOIN found f ON f.id = c.id), \
         history AS ( \
           INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, \
                                 occurred_at, actor_id, actor_name, message, params) \
           SELECT gen_random_uuid(), $1, '{entity}', t.id, '{action}', {summary}, t.contact_id, \
                  CASE WHEN '{action}' = 'updated' THEN ARRAY[$8] ELSE ARRAY[]::text[] END, $3, $5, $7, \
                  '{message}', {params} \
           FROM changed t){extra} \
         SELECT f.id, c.id IS NOT NULL AS updated, NOT f.in_scope AS trashed, f.refused \
         FROM found f LEFT JOIN changed c ON c.id = f.id"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Timestamptz, _>(batch.now)
    .bind::<SqlUuid, _>(batch.id)
    .bind::<Nullable<SqlUuid>, _>(batch.actor_id)
    .bind::<Jsonb, _>(param)
    .bind::<Nullable<Text>, _>(batch.actor_name)
    .bind::<Text, _>(batch.fields)
    .load(conn)
    .await
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bulk_batches)]
pub struct BatchRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub kind: BulkKind,
    pub action: serde_json::Value,
    pub summary: String,
    pub message: Option<Message>,
    pub params: serde_json::Value,
    pub records: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub undone_at: Option<DateTime<Utc>>,
}

pub async fn insert_batch(conn: &mut AsyncPgConnection, row: &BatchRow) -> QueryResult<()> {
    diesel::insert_into(bulk_batches::table)
        .values(row)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the batches made before `cutoff` (any workspace), which can no longer be undone, with
/// the values they saved; how many.
pub async fn purge_batches(conn: &mut AsyncPgConnection, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(bulk_batches::table.filter(bulk_batches::created_at.lt(cutoff)))
        .execute(conn)
        .await
}

/// Forgets a batch that changed nothing.
pub async fn delete_batch(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<()> {
    diesel::delete(bulk_batches::table.filter(bulk_batches::workspace_id.eq(workspace).and(bulk_batches::id.eq(id))))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records what a batch did, once it is done.
pub async fn describe_batch(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    summary: &Summary,
    records: i32,
) -> QueryResult<()> {
    diesel::update(bulk_batches::table.filter(bulk_batches::workspace_id.eq(workspace).and(bulk_batches::id.eq(id))))
        .set((
            bulk_batches::summary.eq(summary.english()),
            bulk_batches::message.eq(Some(summary.message)),
            bulk_batches::params.eq(summary.params_json()),
            bulk_batches::records.eq(records),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The batch, locked until the transaction ends.
pub async fn lock_batch(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Option<BatchRow>> {
    bulk_batches::table
        .filter(bulk_batches::workspace_id.eq(workspace).and(bulk_batches::id.eq(id)))
        .select(BatchRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn mark_undone(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(bulk_batches::table.filter(bulk_batches::workspace_id.eq(workspace).and(bulk_batches::id.eq(id))))
        .set(bulk_batches::undone_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
pub struct Undone {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub restored: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub kept: i64,
    /// The contacts put back (their follow-ups may need recomputing).
    #[diesel(sql_type = Array<SqlUuid>)]
    pub ids: Vec<Uuid>,
}

/// Puts the batch's records back as they were, those not changed since (same version), in one
/// statement with their history entries; counts those put back and those kept.
pub async fn undo(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    batch: &Batch<'_>,
    change: &Change,
    param: &serde_json::Value,
) -> QueryResult<Undone> {
    let (table, name, contact) = (table(batch.kind), name(batch.kind), contact(batch.kind));
    let entity = batch.kind.as_str();
    let undo = change.undo;
    let message = Message::BulkRecordUndone;
    let summary = message.english_sql(&[("name", "t.name")]);
    let extra = match change.undo_extra {
        "" => String::new(),
        sql => format!(", extra AS ({sql})"),
    };
    diesel::sql_query(format!(
        "WITH back AS ( \
           UPDATE {table} t SET {undo}, version = t.version + 1, updated_at = $3 \
           FROM bulk_items b WHERE b.batch_id = $2 AND t.id = b.record_id AND t.workspace_id = $1 \
             AND t.version = b.version_after \
           RETURNING t.id, {name} AS name, {contact} AS contact_id), \
         history AS ( \
           INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, contact_id, fields, \
                                 occurred_at, actor_id, actor_name, message, params) \
           SELECT gen_random_uuid(), $1, '{entity}', t.id, 'updated', {summary}, \
                  t.contact_id, ARRAY[]::text[], $3, $5, $6, '{message}', jsonb_build_object('name', t.name) \
           FROM back t){extra} \
         SELECT (SELECT count(*) FROM back) AS restored, \
                (SELECT count(*) FROM bulk_items WHERE batch_id = $2) - (SELECT count(*) FROM back) AS kept, \
                ARRAY(SELECT id FROM back) AS ids"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(batch.id)
    .bind::<Timestamptz, _>(batch.now)
    .bind::<Jsonb, _>(param)
    .bind::<Nullable<SqlUuid>, _>(batch.actor_id)
    .bind::<Nullable<Text>, _>(batch.actor_name)
    .get_result(conn)
    .await
}
