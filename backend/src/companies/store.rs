//! Company rows and the SQL that reads and writes them.

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSelectStatement, FromClause, QueryFragment};
use diesel::sql_types::{BigInt, Bool, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::query::{CompanyFilter, CompanyQuery};
use crate::activity::{self, store::ActivityRow};
use crate::custom_fields::values::ValuesChange;
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::keyset::{SortKey, SortValue};
use crate::db::schema::{companies, contacts, merges};
use crate::db::statement::Statement;
use crate::duplicates;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = companies, check_for_backend(Pg))]
pub struct CompanyRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub location: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub sort_name: String,
    pub custom_fields: serde_json::Value,
}

/// `None`s are written as NULL (no nullable column has another default), so a one-row insert has
/// the same text every time.
#[derive(Debug, Insertable)]
#[diesel(table_name = companies, treat_none_as_default_value = false)]
pub struct NewCompanyRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub location: Option<String>,
    pub notes: Option<String>,
    pub custom_fields: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct CompanyChangeset {
    pub name: Option<String>,
    pub domain: Option<Option<String>>,
    pub industry: Option<Option<String>>,
    pub size: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub custom_fields: Option<ValuesChange>,
}

impl CompanyChangeset {
    /// Names of the columns this change sets.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        let CompanyChangeset {
            name,
            domain,
            industry,
            size,
            location,
            notes,
            custom_fields,
        } = self;
        [
            ("name", name.is_some()),
            ("domain", domain.is_some()),
            ("industry", industry.is_some()),
            ("size", size.is_some()),
            ("location", location.is_some()),
            ("notes", notes.is_some()),
            ("custom_fields", custom_fields.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect()
    }
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The id of the live company with this name (case-insensitive), creating it if there is none.
pub async fn find_or_create_by_name(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    name: &str,
) -> QueryResult<Uuid> {
    // Two attempts: a company created concurrently by another transaction makes the insert do
    // nothing while staying invisible to this statement's snapshot; the next statement sees it.
    for _ in 0..2 {
        let found: Option<IdRow> = diesel::sql_query(
            "WITH inserted AS ( \
               INSERT INTO companies (id, workspace_id, name, created_at, updated_at) \
               VALUES ($1, $2, $3, now(), now()) \
               ON CONFLICT (workspace_id, lower(name)) WHERE deleted_at IS NULL DO NOTHING \
               RETURNING id) \
             SELECT id FROM inserted \
             UNION ALL \
             SELECT id FROM companies WHERE workspace_id = $2 AND lower(name) = lower($3) AND deleted_at IS NULL \
             LIMIT 1",
        )
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<SqlUuid, _>(workspace)
        .bind::<Text, _>(name)
        .get_result(conn)
        .await
        .optional()?;
        if let Some(row) = found {
            return Ok(row.id);
        }
    }
    Err(diesel::result::Error::NotFound)
}

pub async fn exists(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        companies::table
            .filter(companies::workspace_id.eq(workspace))
            .filter(companies::id.eq(id))
            .filter(companies::deleted_at.is_null()),
    ))
    .get_result(conn)
    .await
}

/// Live contacts per company, for the given companies, in one query.
pub async fn contact_counts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<(Option<Uuid>, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    contacts::table
        .filter(contacts::workspace_id.eq(workspace))
        .filter(contacts::deleted_at.is_null())
        .filter(contacts::company_id.eq_any(ids))
        .group_by(contacts::company_id)
        .select((contacts::company_id, count_star()))
        .load(conn)
        .await
}

pub fn sort_value(row: &CompanyRow, key: &SortKey) -> SortValue {
    match key.name {
        "name" => SortValue::Text(row.sort_name.clone()),
        "updated_at" => SortValue::Time(row.updated_at),
        _ => SortValue::Time(row.created_at),
    }
}

type CompanySelect<'a, ST> = BoxedSelectStatement<'a, ST, FromClause<companies::table>, Pg>;

fn filtered<'a, ST: 'a>(
    mut query: CompanySelect<'a, ST>,
    workspace: WorkspaceId,
    f: &'a CompanyFilter,
) -> CompanySelect<'a, ST> {
    query = query.filter(companies::workspace_id.eq(workspace));
    query = if f.trashed {
        query.filter(companies::deleted_at.is_not_null())
    } else {
        query.filter(companies::deleted_at.is_null())
    };
    if let Some(m) = &f.q {
        query = query.filter(crate::search::store::list_condition("companies", m));
    }
    if let Some(industry) = &f.industry {
        query = query.filter(sql::<Bool>("lower(companies.industry) = ").bind::<Text, _>(industry.clone()));
    }
    query
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    q: &CompanyQuery,
) -> QueryResult<Vec<CompanyRow>> {
    let base: CompanySelect<'_, _> = companies::table.select(CompanyRow::as_select()).into_boxed();
    let mut query = filtered(base, workspace, &q.filter);
    if let Some((value, id)) = &q.after {
        query = query.filter(q.sort.condition::<companies::table>("companies.id", value, *id));
    }
    query
        .order(sql::<Text>(&q.sort.order_sql("companies.id")))
        .limit(q.limit + 1)
        .load(conn)
        .await
}

pub async fn count(conn: &mut AsyncPgConnection, workspace: WorkspaceId, f: &CompanyFilter) -> QueryResult<i64> {
    let base: CompanySelect<'_, BigInt> = companies::table.select(count_star()).into_boxed();
    filtered(base, workspace, f).get_result(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<CompanyRow>> {
    companies::table
        .filter(companies::workspace_id.eq(workspace).and(companies::id.eq(id)))
        .select(CompanyRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A company with the number of its live contacts, as a write that changes it answers.
#[derive(Debug, QueryableByName)]
pub struct Counted {
    #[diesel(embed)]
    pub company: CompanyRow,
    #[diesel(sql_type = BigInt)]
    pub contact_count: i64,
}

/// Creates a company together with its history entry, in one statement that also finds its
/// possible duplicates (`duplicates::store::created_company_matches`), best first.
pub async fn insert_created(
    conn: &mut AsyncPgConnection,
    row: &NewCompanyRow,
    history: &ActivityRow,
) -> QueryResult<(CompanyRow, Vec<duplicates::store::MatchRow>)> {
    #[derive(QueryableByName)]
    struct CreatedRow {
        #[diesel(embed)]
        company: CompanyRow,
        #[diesel(embed)]
        possible: duplicates::store::MaybeMatch,
    }
    let rows = Statement::new()
        .sql("WITH created AS (")
        .part(
            diesel::insert_into(companies::table)
                .values(row)
                .returning(CompanyRow::as_returning()),
        )
        .sql("), history AS (")
        .part(activity::store::insert_one(history))
        .sql(")")
        .part(duplicates::store::created_company_matches(row.workspace_id))
        .load::<CreatedRow>(conn)
        .await?;
    let mut rows = rows.into_iter();
    let first = rows.next().ok_or(diesel::result::Error::NotFound)?;
    let possible = std::iter::once(first.possible)
        .chain(rows.map(|r| r.possible))
        .filter_map(duplicates::store::MaybeMatch::into_match)
        .collect();
    Ok((first.company, possible))
}

/// The update of a live company (only at `expected` when given) that bumps its version and sets
/// `updated_at` to `now`, returning the row. Every column is named whether the change sets it or
/// not (see `Statement::assign`), so the text is the same at every edit and kept prepared.
fn edit<'a>(
    workspace: WorkspaceId,
    id: Uuid,
    changes: &'a CompanyChangeset,
    expected: Option<i32>,
    now: DateTime<Utc>,
) -> Statement<'a> {
    use diesel::sql_types::Timestamptz;
    let c = changes;
    let nullable = |s: &'a Option<Option<String>>| s.as_ref().map(Option::as_deref);
    Statement::new()
        .sql("UPDATE companies SET ")
        .assign::<Text, _>("name", c.name.as_deref().map(Some))
        .assign::<Text, _>("domain", nullable(&c.domain))
        .assign::<Text, _>("industry", nullable(&c.industry))
        .assign::<Text, _>("size", nullable(&c.size))
        .assign::<Text, _>("location", nullable(&c.location))
        .assign::<Text, _>("notes", nullable(&c.notes))
        .assign_merged("custom_fields", c.custom_fields.as_ref().map(ValuesChange::merged))
        .sql("version = version + 1, updated_at = ")
        .bind::<Timestamptz, _>(now)
        .sql(" WHERE workspace_id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND id = ")
        .bind::<SqlUuid, _>(id)
        .sql(" AND deleted_at IS NULL")
        .at_version(expected)
        .sql(" RETURNING ")
        .part(CompanyRow::as_returning())
}

/// Applies a change to a live company, bumping its version; only at `expected` when given.
pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: &CompanyChangeset,
    expected: Option<i32>,
) -> QueryResult<WriteOutcome<CompanyRow>> {
    let updated = edit(workspace, id, changes, expected, Utc::now())
        .get_result::<CompanyRow>(conn)
        .await
        .optional()?;
    outcome(conn, workspace, id, updated, |r| r.deleted_at.is_none()).await
}

/// [`update`] with its history entry, which names the company as the update leaves it
/// (`template`, see `Summary::english_template`), in one statement that also counts the
/// company's live contacts.
pub async fn update_recorded(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: &CompanyChangeset,
    expected: Option<i32>,
    (history, template): (&ActivityRow, &str),
) -> QueryResult<WriteOutcome<Counted>> {
    let updated = recorded(
        edit(workspace, id, changes, expected, history.occurred_at),
        (history, template),
    )
    .get_result::<Counted>(conn)
    .await
    .optional()?;
    outcome(conn, workspace, id, updated, |r| r.deleted_at.is_none()).await
}

/// A change of one company (`change`, returning the row) and its history entry naming the company
/// as the change leaves it, as one statement whose row is the company and its live contacts.
fn recorded<'a>(
    change: impl QueryFragment<Pg> + Send + 'a,
    (history, template): (&'a ActivityRow, &'a str),
) -> Statement<'a> {
    Statement::new()
        .sql("WITH updated AS (")
        .part(change)
        .sql("), named AS (SELECT NULL::uuid AS contact_id, u.name FROM updated u), history AS (")
        .part(activity::store::insert_one_named(history, template, "named", &["name"]))
        .sql(
            ") SELECT updated.*, (SELECT count(*) FROM contacts c WHERE c.workspace_id = updated.workspace_id \
             AND c.company_id = updated.id AND c.deleted_at IS NULL) AS contact_count FROM updated",
        )
}

/// Moves a live company to the trash (`trash = true`) or back (`trash = false`), with its history
/// entry (as for [`update_recorded`]), in one statement.
pub async fn set_trashed(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    trash: bool,
    expected: Option<i32>,
    (history, template): (&ActivityRow, &str),
) -> QueryResult<WriteOutcome<Counted>> {
    let now = history.occurred_at;
    let target = companies::table
        .filter(companies::workspace_id.eq(workspace))
        .filter(companies::id.eq(id))
        .filter(companies::deleted_at.is_null().eq(trash))
        // A merged record is out of sight but not in the trash: it comes back by undoing the merge.
        .filter(diesel::dsl::not(diesel::dsl::exists(
            merges::table
                .filter(merges::merged_id.eq(companies::id))
                .filter(merges::undone_at.is_null()),
        )))
        .filter(
            companies::version
                .eq(expected.unwrap_or(0))
                .or(expected.is_none().into_sql::<Bool>()),
        );
    let change = diesel::update(target)
        .set((
            companies::deleted_at.eq(trash.then_some(now)),
            companies::version.eq(companies::version + 1),
            companies::updated_at.eq(now),
        ))
        .returning(CompanyRow::as_returning());
    let updated = recorded(change, (history, template))
        .get_result::<Counted>(conn)
        .await
        .optional()?;
    outcome(conn, workspace, id, updated, |r| r.deleted_at.is_some() != trash).await
}

/// What a write that matched no row means (`in_scope`: whether the company as it is was the
/// write's to change, so only its version stood in the way).
async fn outcome<T>(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    updated: Option<T>,
    in_scope: impl Fn(&CompanyRow) -> bool,
) -> QueryResult<WriteOutcome<T>> {
    if let Some(row) = updated {
        return Ok(WriteOutcome::Written(Box::new(row)));
    }
    let Some(row) = find(conn, workspace, id).await? else {
        return Ok(WriteOutcome::Missing);
    };
    if row.deleted_at.is_some() {
        // Out of sight because it was merged into another record?
        if let Some(survivor) = crate::merges::store::survivor_of(conn, workspace, id).await? {
            return Ok(WriteOutcome::Merged(survivor));
        }
    }
    Ok(if in_scope(&row) {
        WriteOutcome::Stale(row.version)
    } else if row.deleted_at.is_some() {
        WriteOutcome::Trashed
    } else {
        WriteOutcome::Missing
    })
}
