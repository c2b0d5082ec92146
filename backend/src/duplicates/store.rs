//! Duplicate candidates and dismissals in SQL: equal keys are found by hash joins over the
//! workspace's live records (one pass however many there are), similar names by trigram
//! similarity only within a company (contacts) or through the trigram index (companies).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;

#[derive(Debug, QueryableByName)]
pub struct PairRow {
    #[diesel(sql_type = SqlUuid)]
    pub first_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub second_id: Uuid,
    #[diesel(sql_type = Array<Text>)]
    pub reasons: Vec<String>,
    #[diesel(sql_type = Double)]
    pub score: f64,
    #[diesel(sql_type = Text)]
    pub first_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub first_subtitle: Option<String>,
    #[diesel(sql_type = Text)]
    pub second_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub second_subtitle: Option<String>,
}

/// Scores and reasons of the pairs, dismissed pairs left out, best first, with each record's
/// name and subtitle (`live` is the records' CTE with `id`, `name`, `subtitle`).
fn ranked(entity: &str) -> String {
    format!(
        "ranked AS ( \
           SELECT p.x AS first_id, p.y AS second_id, array_agg(DISTINCT p.reason ORDER BY p.reason) AS reasons, \
             least(1.0, max(p.score) + 0.05 * (count(DISTINCT p.reason) - 1))::float8 AS score \
           FROM pairs p \
           WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals d WHERE d.workspace_id = $1 AND d.entity = '{entity}' \
             AND d.first_id = p.x AND d.second_id = p.y) \
           GROUP BY p.x, p.y ORDER BY score DESC, p.x, p.y LIMIT $2) \
         SELECT r.first_id, r.second_id, r.reasons, r.score, a.name AS first_name, a.subtitle AS first_subtitle, \
           b.name AS second_name, b.subtitle AS second_subtitle \
         FROM ranked r JOIN live a ON a.id = r.first_id JOIN live b ON b.id = r.second_id \
         ORDER BY r.score DESC, r.first_id, r.second_id"
    )
}

/// The likeliest duplicate contacts of the workspace, at most `limit` pairs.
pub async fn contact_pairs(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    limit: i64,
) -> QueryResult<Vec<PairRow>> {
    diesel::sql_query(format!(
        "WITH live AS ( \
           SELECT c.id, trim(c.first_name || ' ' || c.last_name) AS name, \
             nullif(concat_ws(' · ', c.emails[1], c.company_name), '') AS subtitle, \
             c.emails, c.phones, c.linkedin_url, c.company_id \
           FROM contacts c WHERE c.workspace_id = $1 AND c.deleted_at IS NULL), \
         emails AS (SELECT l.id, lower(e.v) AS v FROM live l CROSS JOIN LATERAL unnest(l.emails) AS e(v)), \
         phones AS ( \
           SELECT l.id, right(d.v, 9) AS v FROM live l CROSS JOIN LATERAL unnest(l.phones) AS p(v) \
             CROSS JOIN LATERAL (SELECT regexp_replace(p.v, '\\D', '', 'g') AS v) d WHERE length(d.v) >= 7), \
         profiles AS ( \
           SELECT l.id, regexp_replace(lower(l.linkedin_url), '^https?://(www\\.)?|/+$', '', 'g') AS v \
           FROM live l WHERE l.linkedin_url IS NOT NULL), \
         pairs AS ( \
           SELECT a.id AS x, b.id AS y, 'same email' AS reason, 0.95::float8 AS score \
             FROM emails a JOIN emails b ON a.v = b.v AND a.id < b.id \
           UNION ALL SELECT a.id, b.id, 'same phone', 0.85 FROM phones a JOIN phones b ON a.v = b.v AND a.id < b.id \
           UNION ALL SELECT a.id, b.id, 'same LinkedIn URL', 0.95 FROM profiles a JOIN profiles b ON a.v = b.v AND a.id < b.id \
           UNION ALL SELECT a.id, b.id, 'similar name at the same company', 0.5 + 0.4 * similarity(lower(a.name), lower(b.name)) \
             FROM live a JOIN live b ON a.company_id = b.company_id AND a.id < b.id \
             WHERE similarity(lower(a.name), lower(b.name)) >= 0.6), \
         {}",
        ranked("contact")
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// The likeliest duplicate companies of the workspace, at most `limit` pairs.
pub async fn company_pairs(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    limit: i64,
) -> QueryResult<Vec<PairRow>> {
    diesel::sql_query(format!(
        "WITH live AS ( \
           SELECT c.id, c.name, c.domain AS subtitle, \
             nullif(regexp_replace(lower(c.domain), '^(https?://)?(www\\.)?|/.*$', '', 'g'), '') AS host \
           FROM companies c WHERE c.workspace_id = $1 AND c.deleted_at IS NULL), \
         pairs AS ( \
           SELECT a.id AS x, b.id AS y, 'same website domain' AS reason, 0.9::float8 AS score \
             FROM live a JOIN live b ON a.host = b.host AND a.id < b.id \
           UNION ALL SELECT a.id, b.id, 'similar name', 0.4 + 0.5 * similarity(lower(a.name), lower(b.name)) \
             FROM companies a JOIN companies b ON lower(b.name) % lower(a.name) AND a.id < b.id \
             WHERE a.workspace_id = $1 AND b.workspace_id = $1 AND a.deleted_at IS NULL AND b.deleted_at IS NULL \
               AND similarity(lower(a.name), lower(b.name)) >= 0.7), \
         {}",
        ranked("company")
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// How similar two names must be for the trigram operator `%` (and its index), for the rest of
/// the transaction.
pub async fn similarity_threshold(conn: &mut AsyncPgConnection, threshold: f64) -> QueryResult<usize> {
    diesel::sql_query("SELECT set_config('pg_trgm.similarity_threshold', $1, true)")
        .bind::<Text, _>(threshold.to_string())
        .execute(conn)
        .await
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many of `ids` are live records of `entity` (`contact` or `company`) in the workspace.
pub async fn live_count(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    entity: &str,
    ids: &[Uuid],
) -> QueryResult<i64> {
    let table = if entity == "company" { "companies" } else { "contacts" };
    let row: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM {table} WHERE workspace_id = $1 AND id = ANY($2) AND deleted_at IS NULL"
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<Array<SqlUuid>, _>(ids)
    .get_result(conn)
    .await?;
    Ok(row.n)
}

/// Records a pair as not a duplicate (again is a no-op).
pub async fn dismiss(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    entity: &str,
    (first, second): (Uuid, Uuid),
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO duplicate_dismissals (workspace_id, entity, first_id, second_id, dismissed_by, dismissed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(entity)
    .bind::<SqlUuid, _>(first)
    .bind::<SqlUuid, _>(second)
    .bind::<Nullable<SqlUuid>, _>(by)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
}
