//! Duplicate candidates and dismissals in SQL: equal keys are found by hash joins over the
//! workspace's live records (one pass however many there are); similar contact names by trigram
//! similarity only between people of the same company with the same initials; company names by
//! equality once case, punctuation and legal forms (Ltd, Inc, GmbH…) are set aside. The keys are
//! the database's `rapport_*_key` functions, indexed, so the check made when one record is
//! created is a handful of index lookups that compare exactly what the list compares.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::statement::{Prepare, Statement};

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

/// Scores and reasons of the pairs, dismissed pairs left out, best first from after the pair
/// `$3` (score), `$4`, `$5` (ids) when given, with each record's name and subtitle (`show` is the SQL of a record's name and subtitle from `{table} AS x`).
fn ranked(entity: &str, table: &str, show: &str) -> String {
    let a = show.replace("x.", "a.");
    let b = show.replace("x.", "b.");
    format!(
        "scored AS ( \
           SELECT p.x AS first_id, p.y AS second_id, array_agg(DISTINCT p.reason ORDER BY p.reason) AS reasons, \
             least(1.0, max(p.score) + 0.05 * (count(DISTINCT p.reason) - 1))::float8 AS score \
           FROM pairs p \
           WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals d WHERE d.workspace_id = $1 AND d.entity = '{entity}' \
             AND d.first_id = p.x AND d.second_id = p.y) \
           GROUP BY p.x, p.y), \
         ranked AS ( \
           SELECT * FROM scored s \
           WHERE $3::float8 IS NULL OR s.score < $3 OR (s.score = $3 AND (s.first_id, s.second_id) > ($4, $5)) \
           ORDER BY s.score DESC, s.first_id, s.second_id LIMIT $2) \
         SELECT r.first_id, r.second_id, r.reasons, r.score, a_show.name AS first_name, a_show.subtitle AS first_subtitle, \
           b_show.name AS second_name, b_show.subtitle AS second_subtitle \
         FROM ranked r JOIN {table} a ON a.id = r.first_id JOIN {table} b ON b.id = r.second_id \
           CROSS JOIN LATERAL (SELECT {a}) a_show CROSS JOIN LATERAL (SELECT {b}) b_show \
         ORDER BY r.score DESC, r.first_id, r.second_id"
    )
}

/// The last pair of the previous page: its score and ids.
pub type After = (f64, Uuid, Uuid);

const CONTACT_SHOW: &str = "trim(x.first_name || ' ' || x.last_name) AS name, \
     nullif(concat_ws(' · ', x.emails[1], x.company_name), '') AS subtitle";

const COMPANY_SHOW: &str = "x.name AS name, x.domain AS subtitle";

/// The likeliest duplicate contacts of the workspace after `after`, at most `limit` pairs.
pub async fn contact_pairs(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    after: Option<After>,
    limit: i64,
) -> QueryResult<Vec<PairRow>> {
    diesel::sql_query(format!(
        "WITH live AS ( \
           SELECT c.id, lower(trim(c.first_name || ' ' || c.last_name)) AS name, \
             lower(left(c.first_name, 1) || left(c.last_name, 1)) COLLATE \"C\" AS initials, \
             c.emails, c.phones, c.linkedin_url, c.company_id \
           FROM contacts c WHERE c.workspace_id = $1 AND c.deleted_at IS NULL), \
         emails AS (SELECT l.id, lower(e.v) COLLATE \"C\" AS v FROM live l CROSS JOIN LATERAL unnest(l.emails) AS e(v)), \
         phones AS ( \
           SELECT l.id, k.v COLLATE \"C\" AS v FROM live l CROSS JOIN LATERAL unnest(rapport_phone_keys(l.phones)) AS k(v)), \
         profiles AS ( \
           SELECT l.id, rapport_linkedin_key(l.linkedin_url) COLLATE \"C\" AS v \
           FROM live l WHERE l.linkedin_url IS NOT NULL), \
         pairs AS ( \
           SELECT a.id AS x, b.id AS y, 'same email' AS reason, 0.95::float8 AS score \
             FROM emails a JOIN emails b ON a.v = b.v AND a.id < b.id \
           UNION ALL SELECT a.id, b.id, 'same phone', 0.85 FROM phones a JOIN phones b ON a.v = b.v AND a.id < b.id \
           UNION ALL SELECT a.id, b.id, 'same LinkedIn URL', 0.95 FROM profiles a JOIN profiles b ON a.v = b.v AND a.id < b.id \
           UNION ALL SELECT a.id, b.id, 'similar name at the same company', 0.5 + 0.4 * similarity(a.name, b.name) \
             FROM live a JOIN live b ON a.company_id = b.company_id AND a.initials = b.initials AND a.id < b.id \
             WHERE similarity(a.name, b.name) >= 0.6), \
         {}",
        ranked("contact", "contacts", CONTACT_SHOW)
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<BigInt, _>(limit)
    .bind::<Nullable<Double>, _>(after.map(|a| a.0))
    .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.1))
    .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.2))
    .load(conn)
    .await
}

/// The likeliest duplicate companies of the workspace after `after`, at most `limit` pairs.
pub async fn company_pairs(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    after: Option<After>,
    limit: i64,
) -> QueryResult<Vec<PairRow>> {
    diesel::sql_query(format!(
        "WITH live AS ( \
           SELECT c.id, rapport_domain_key(c.domain) COLLATE \"C\" AS host, \
             rapport_company_key(c.name) COLLATE \"C\" AS key \
           FROM companies c WHERE c.workspace_id = $1 AND c.deleted_at IS NULL), \
         pairs AS ( \
           SELECT a.id AS x, b.id AS y, 'same website domain' AS reason, 0.9::float8 AS score \
             FROM live a JOIN live b ON a.host = b.host AND a.id < b.id \
           UNION ALL SELECT a.id, b.id, 'same name', 0.8 \
             FROM live a JOIN live b ON a.key = b.key AND a.id < b.id), \
         {}",
        ranked("company", "companies", COMPANY_SHOW)
    ))
    .bind::<SqlUuid, _>(workspace)
    .bind::<BigInt, _>(limit)
    .bind::<Nullable<Double>, _>(after.map(|a| a.0))
    .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.1))
    .bind::<Nullable<SqlUuid>, _>(after.map(|a| a.2))
    .load(conn)
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

#[derive(Debug, QueryableByName)]
pub struct MatchRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub subtitle: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub reasons: Vec<String>,
    #[diesel(sql_type = Double)]
    pub score: f64,
}

/// The best `limit` matches among the `hits` (id, reason, score) CTE, with names and subtitles.
/// How many possible duplicates a create answers with. A constant in the SQL text rather than a
/// bound value: with it known, PostgreSQL keeps one plan for the statement instead of planning
/// it again at every create (1 ms, for 0.1 ms of execution).
pub const POSSIBLE: usize = 5;

fn matches(table: &str, show: &str) -> String {
    format!(
        "SELECT x.id, s.name, s.subtitle, array_agg(DISTINCT h.reason ORDER BY h.reason) AS reasons, \
           least(1.0, max(h.score) + 0.05 * (count(DISTINCT h.reason) - 1))::float8 AS score \
         FROM hits h JOIN {table} x ON x.id = h.id CROSS JOIN LATERAL (SELECT {show}) s \
         GROUP BY x.id, s.name, s.subtitle ORDER BY score DESC, x.id LIMIT {POSSIBLE}"
    )
}

/// The CTEs `me` (the contact just created), `others` (the workspace's other live contacts; the
/// workspace's id is bound between the two parts) and `hits` (id, reason, score): same email,
/// phone or LinkedIn profile, or a similar name at the same company. `others` is inlined into
/// each branch (NOT MATERIALIZED) so that each uses its index; materialized, it was a scan of
/// every contact on every create (0.6 s at 100k).
const CREATED_HITS_HEAD: &str = ", me AS (SELECT * FROM created), \
    others AS NOT MATERIALIZED (SELECT c.* FROM contacts c WHERE c.workspace_id = ";
const CREATED_HITS_TAIL: &str = " AND c.deleted_at IS NULL), \
    hits AS ( \
      SELECT o.id, 'same email' AS reason, 0.95::float8 AS score FROM others o, me \
        WHERE cardinality(me.emails) > 0 AND o.emails && me.emails \
      UNION ALL SELECT o.id, 'same phone', 0.85 FROM others o, me \
        WHERE cardinality(me.phones) > 0 AND rapport_phone_keys(o.phones) && rapport_phone_keys(me.phones) \
      UNION ALL SELECT o.id, 'same LinkedIn URL', 0.95 FROM others o, me \
        WHERE o.linkedin_url IS NOT NULL AND rapport_linkedin_key(o.linkedin_url) = rapport_linkedin_key(me.linkedin_url) \
      UNION ALL SELECT o.id, 'similar name at the same company', \
          0.5 + 0.4 * similarity(lower(trim(o.first_name || ' ' || o.last_name)), lower(trim(me.first_name || ' ' || me.last_name))) \
        FROM others o, me WHERE o.company_id = me.company_id \
          AND lower(left(o.first_name, 1) || left(o.last_name, 1)) = lower(left(me.first_name, 1) || left(me.last_name, 1)) \
          AND similarity(lower(trim(o.first_name || ' ' || o.last_name)), lower(trim(me.first_name || ' ' || me.last_name))) >= 0.6)";

/// One possible duplicate of a contact created in the same statement, or none: the `match_`
/// columns of [`created_contact_matches`]'s rows.
#[derive(Debug, QueryableByName)]
pub struct MaybeMatch {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub match_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub match_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub match_subtitle: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub match_reasons: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Double>)]
    pub match_score: Option<f64>,
}

impl MaybeMatch {
    pub fn into_match(self) -> Option<MatchRow> {
        Some(MatchRow {
            id: self.match_id?,
            name: self.match_name.unwrap_or_default(),
            subtitle: self.match_subtitle,
            reasons: self.match_reasons.unwrap_or_default(),
            score: self.match_score.unwrap_or_default(),
        })
    }
}

/// The `hits` CTEs and the final `SELECT` of a statement whose CTE `created` inserted one contact
/// in `workspace` (its columns as returned): each row is the contact's columns and one of its
/// possible duplicates (`match_` columns, [`MaybeMatch`]), best first, or a single row without
/// one. Looking for them in the insert's own statement, which has the new row, spares a create a
/// second statement. The statement's snapshot predates the insert, so the new contact is not
/// among `others`.
pub fn created_contact_matches(workspace: WorkspaceId) -> Statement<'static> {
    static RANKED: LazyLock<String> = LazyLock::new(|| {
        format!(
            ", ranked AS ({}) \
             SELECT created.*, r.id AS match_id, r.name AS match_name, r.subtitle AS match_subtitle, \
               r.reasons AS match_reasons, r.score AS match_score \
             FROM created LEFT JOIN ranked r ON true ORDER BY r.score DESC NULLS LAST, r.id",
            matches("contacts", CONTACT_SHOW)
        )
    });
    Statement::new()
        .sql(CREATED_HITS_HEAD)
        .bind::<SqlUuid, _>(workspace)
        .sql(CREATED_HITS_TAIL)
        .sql(RANKED.as_str())
}

/// The `hits` CTE (id, reason, score) of the live companies in `others` that look like the
/// company `me`: the same website domain or the same name.
const COMPANY_HITS: &str = "hits AS ( \
      SELECT o.id, 'same website domain' AS reason, 0.9::float8 AS score FROM others o, me \
        WHERE o.domain IS NOT NULL AND rapport_domain_key(o.domain) = rapport_domain_key(me.domain) \
      UNION ALL SELECT o.id, 'same name', 0.8 FROM others o, me \
        WHERE rapport_company_key(o.name) = rapport_company_key(me.name))";

/// Live companies that look like company `id` (same website domain or the same name), best first.
pub async fn company_matches(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Vec<MatchRow>> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "WITH me AS (SELECT * FROM companies WHERE workspace_id = $1 AND id = $2), \
             others AS NOT MATERIALIZED (SELECT c.* FROM companies c WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND c.id <> $2), \
             {COMPANY_HITS} {}",
            matches("companies", COMPANY_SHOW)
        )
    });
    diesel::sql_query(SQL.as_str())
        .bind::<SqlUuid, _>(workspace)
        .bind::<SqlUuid, _>(id)
        .prepared()
        .load(conn)
        .await
}

/// The CTEs and the final `SELECT` of a statement whose CTE `created` inserted one company in
/// `workspace` (its columns as returned): each row is the company's columns and one of its
/// possible duplicates (`match_` columns, [`MaybeMatch`]), best first, or a single row without
/// one (as [`created_contact_matches`] for a contact).
pub fn created_company_matches(workspace: WorkspaceId) -> Statement<'static> {
    static TAIL: LazyLock<String> = LazyLock::new(|| {
        format!(
            " AND c.deleted_at IS NULL), {COMPANY_HITS}, ranked AS ({}) \
             SELECT created.*, r.id AS match_id, r.name AS match_name, r.subtitle AS match_subtitle, \
               r.reasons AS match_reasons, r.score AS match_score \
             FROM created LEFT JOIN ranked r ON true ORDER BY r.score DESC NULLS LAST, r.id",
            matches("companies", COMPANY_SHOW)
        )
    });
    Statement::new()
        .sql(
            ", me AS (SELECT * FROM created), \
             others AS NOT MATERIALIZED (SELECT c.* FROM companies c WHERE c.workspace_id = ",
        )
        .bind::<SqlUuid, _>(workspace)
        .sql(TAIL.as_str())
}
