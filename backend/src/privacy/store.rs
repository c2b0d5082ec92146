//! The SQL of an erasure: every copy of a person's data the workspace holds outside their own
//! record, found by their id or by what identifies them (`needles`: lower-cased id, emails and
//! name), removed or rewritten in the erasure's transaction.

use diesel::QueryableByName;
use diesel::result::QueryResult;
use diesel::sql_types::{Array, BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;

/// What the erasure finds of the person before removing them.
pub struct Held {
    pub interactions: i64,
    pub reminders: i64,
    pub conversations: i64,
    pub payments: i64,
    pub deals: i64,
}

/// Locks the contact (in the trash or not) and counts what hangs under it; none when there is no
/// such contact.
pub async fn lock_and_count(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Option<Held>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        interactions: i64,
        #[diesel(sql_type = BigInt)]
        reminders: i64,
        #[diesel(sql_type = BigInt)]
        conversations: i64,
        #[diesel(sql_type = BigInt)]
        payments: i64,
        #[diesel(sql_type = BigInt)]
        deals: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "WITH c AS (SELECT id FROM contacts WHERE workspace_id = $1 AND id = $2 FOR UPDATE) \
         SELECT (SELECT count(*) FROM interactions WHERE workspace_id = $1 AND contact_id = c.id) AS interactions, \
                (SELECT count(*) FROM reminders WHERE workspace_id = $1 AND contact_id = c.id) AS reminders, \
                (SELECT count(*) FROM ai_conversations WHERE workspace_id = $1 AND contact_id = c.id) AS conversations, \
                (SELECT count(*) FROM payments WHERE workspace_id = $1 AND contact_id = c.id) AS payments, \
                (SELECT count(*) FROM deals WHERE workspace_id = $1 AND contact_id = c.id) AS deals \
         FROM c",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|r| Held {
        interactions: r.interactions,
        reminders: r.reminders,
        conversations: r.conversations,
        payments: r.payments,
        deals: r.deals,
    }))
}

/// Opens the history's one exception for this transaction: entries may be rewritten to
/// "Erased on request" (see the migration `erasure`).
pub async fn allow_history_scrub(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('rapport.erasing', $1 || ':' || $2, true)")
        .bind::<Text, _>(workspace.uuid().to_string())
        .bind::<Text, _>(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Rewrites the history entries about the person — theirs, their interactions' and reminders',
/// and any other whose summary names them — to "Erased on request".
pub async fn scrub_history(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    names: &[String],
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE activity SET summary = 'Erased on request', fields = '{}', contact_id = NULL, \
           message = 'erased_entry', params = '{}' \
         WHERE workspace_id = $1 AND (contact_id = $2 OR entity_id = $2 \
           OR EXISTS (SELECT 1 FROM unnest($3::text[]) n WHERE position(n IN lower(summary)) > 0))",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(names)
    .execute(conn)
    .await
}

/// Deletes the assistant's stored answers about the person: recorded as theirs, or whose
/// question quotes them.
pub async fn delete_ai_answers(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    needles: &[String],
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM llm_cache WHERE workspace_id = $1 AND (contact_id = $2 \
           OR EXISTS (SELECT 1 FROM unnest($3::text[]) n WHERE position(n IN lower(request::text)) > 0))",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(needles)
    .execute(conn)
    .await
}

/// Deletes stored answers of retried requests (`Idempotency-Key`) that hold the person.
pub async fn delete_stored_responses(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    needles: &[String],
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE workspace_id = $1 AND response IS NOT NULL \
           AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE position(n IN lower(response::text)) > 0)",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<Text>, _>(needles)
    .execute(conn)
    .await
}

/// Deletes the webhook deliveries (their bodies are copies of records) that mention the person.
pub async fn delete_webhook_deliveries(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    needles: &[String],
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM webhook_deliveries WHERE workspace_id = $1 \
           AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE position(n IN lower(payload::text)) > 0)",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<Text>, _>(needles)
    .execute(conn)
    .await
}

/// Deletes the web form submissions of the person (or that mention them): they hold what the
/// person typed.
pub async fn delete_form_submissions(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    needles: &[String],
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM form_submissions WHERE workspace_id = $1 \
           AND (contact_id = $2 \
                OR EXISTS (SELECT 1 FROM unnest($3::text[]) n WHERE position(n IN lower(data::text)) > 0))",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(needles)
    .execute(conn)
    .await
}

/// Deletes the emails (queued or sent) whose job holds a copy of a message to the person.
pub async fn delete_email_jobs(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    needles: &[String],
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM jobs WHERE workspace_id = $1 AND kind = 'email' \
           AND (payload->>'contact_id' = $2::text \
             OR EXISTS (SELECT 1 FROM unnest($3::text[]) n WHERE position(n IN lower(payload::text)) > 0))",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(needles)
    .execute(conn)
    .await
}

/// Deletes the records of imported files that were about the person.
pub async fn delete_import_records(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    needles: &[String],
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM import_rows r USING imports i WHERE i.id = r.import_id AND i.workspace_id = $1 \
           AND (r.contact_id = $2 OR EXISTS (SELECT 1 FROM unnest($3::text[]) n \
                WHERE position(n IN lower(array_to_string(r.cells, ' '))) > 0))",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .bind::<Array<Text>, _>(needles)
    .execute(conn)
    .await
}

/// Deletes the records merged into the person (the same person's older contacts, kept out of
/// sight for the merge's undo), the merges naming them, and the values bulk changes saved of
/// them; how many rows.
pub async fn delete_merge_and_bulk_records(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<i64> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let row: N = diesel::sql_query(
        "WITH merged AS ( \
           DELETE FROM contacts c USING merges m \
           WHERE m.workspace_id = $1 AND m.kind = 'contact' AND m.survivor_id = $2 AND m.undone_at IS NULL \
             AND c.workspace_id = $1 AND c.id = m.merged_id AND c.deleted_at IS NOT NULL RETURNING 1), \
         merges_gone AS ( \
           DELETE FROM merges WHERE workspace_id = $1 AND kind = 'contact' AND (survivor_id = $2 OR merged_id = $2) \
           RETURNING 1), \
         saved AS ( \
           DELETE FROM bulk_items i USING bulk_batches b \
           WHERE b.id = i.batch_id AND b.workspace_id = $1 AND b.kind = 'contact' AND i.record_id = $2 RETURNING 1) \
         SELECT (SELECT count(*) FROM merged) + (SELECT count(*) FROM merges_gone) + (SELECT count(*) FROM saved) AS n",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await?;
    Ok(row.n)
}

/// Deletes the contact itself: its interactions, reminders and conversations go with it (their
/// foreign keys cascade); payments and deals stay, without the person.
pub async fn delete_contact(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM contacts WHERE workspace_id = $1 AND id = $2")
        .bind::<SqlUuid, _>(workspace)
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await
}
