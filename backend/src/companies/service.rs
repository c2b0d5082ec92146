//! Company rules, and what other domains may ask of companies.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::dto::{Company, CompanyPage, CreateCompany, UpdateCompany};
use super::query::CompanyQuery;
use super::store::{self, CompanyChangeset, CompanyRow, NewCompanyRow};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::custom_fields;
use crate::custom_fields::dto::FieldEntity;
use crate::db::WorkspaceId;
use crate::db::{WriteOutcome, keyset};
use crate::dto::{clean, normalize_url};
use crate::duplicates;
use crate::error::{AppError, AppResult};
use crate::exports::{Cell, json_cell};
use crate::merges;

const NOT_FOUND: &str = "the company";

/// Resolves a company given by name (found or created) or by id (must exist).
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Option<Uuid>,
    name: Option<&str>,
) -> AppResult<Option<Uuid>> {
    match (id, name) {
        (Some(_), Some(_)) => Err(AppError::invalid_field(
            "company_id",
            "give company_id or company_name, not both",
        )),
        (Some(id), None) => {
            if store::exists(conn, workspace, id).await? {
                Ok(Some(id))
            } else {
                Err(AppError::invalid_field("company_id", "no company has this id"))
            }
        }
        (None, Some(name)) => Ok(Some(store::find_or_create_by_name(conn, workspace, name).await?)),
        (None, None) => Ok(None),
    }
}

/// "https://www.Engines.example/about" → "engines.example".
fn domain(value: Option<String>) -> Option<String> {
    let value = clean(value)?;
    let host = normalize_url(&value)
        .and_then(|u| url::Url::parse(&u).ok())
        .and_then(|u| u.host_str().map(str::to_lowercase))
        .unwrap_or_else(|| value.to_lowercase());
    Some(host.strip_prefix("www.").map(str::to_owned).unwrap_or(host))
}

pub(crate) fn to_dto(row: CompanyRow, contact_count: i64) -> Company {
    Company {
        id: row.id,
        name: row.name,
        domain: row.domain,
        industry: row.industry,
        size: row.size,
        location: row.location,
        notes: row.notes,
        custom_fields: row.custom_fields,
        contact_count,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted_at: row.deleted_at,
        version: row.version,
        possible_duplicates: None,
    }
}

async fn to_dtos(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    rows: Vec<CompanyRow>,
) -> AppResult<Vec<Company>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<Uuid, i64> = store::contact_counts(conn, workspace, &ids)
        .await?
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = counts.get(&r.id).copied().unwrap_or(0);
            to_dto(r, n)
        })
        .collect())
}

async fn one_dto(conn: &mut AsyncPgConnection, workspace: WorkspaceId, row: CompanyRow) -> AppResult<Company> {
    to_dtos(conn, workspace, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

/// A clearer message for the one uniqueness rule companies have.
fn name_taken(e: AppError, name: &str) -> AppError {
    if e.code() == "already_exists" {
        AppError::conflict("already_exists", format!("a company named '{name}' already exists"))
    } else {
        e
    }
}

fn written<T>(outcome: WriteOutcome<T>) -> AppResult<T> {
    outcome.into_result(NOT_FOUND)
}

/// The ids of the companies the list's filters match (in the list's order), at most `max + 1` —
/// one more than `max` says there are too many.
pub async fn ids_matching(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    mut query: CompanyQuery,
    max: usize,
) -> AppResult<Vec<Uuid>> {
    query.limit = max as i64;
    narrow(conn, &mut query).await?;
    Ok(store::list(conn, workspace, &query)
        .await?
        .into_iter()
        .take(max + 1)
        .map(|r| r.id)
        .collect())
}

/// Decides which words of the query's `q` the text index is read for (see
/// `search::service::narrow`): once per list or export, before its pages and its total are read.
pub async fn narrow(conn: &mut AsyncPgConnection, query: &mut CompanyQuery) -> AppResult<()> {
    crate::search::service::narrow(conn, "companies", &mut query.filter.q).await
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    mut query: CompanyQuery,
) -> AppResult<CompanyPage> {
    // A search decides first which of its words the text index is read for.
    narrow(conn, &mut query).await?;
    let rows = store::list(conn, workspace, &query).await?;
    let (rows, next_cursor) = keyset::page(rows, query.limit, &query.sort, |r| {
        (store::sort_value(r, &query.sort.key), r.id)
    });
    let total = if query.include_total {
        Some(store::count(conn, workspace, &query.filter).await?)
    } else {
        None
    };
    let items = to_dtos(conn, workspace, rows).await?;
    Ok(CompanyPage {
        items,
        next_cursor,
        total,
    })
}

/// A company. One in the trash answers 404 `trashed` unless `include_trashed` (its `deleted_at`
/// then says so).
pub async fn get(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    include_trashed: bool,
) -> AppResult<Company> {
    let row = match store::find(conn, workspace, id).await? {
        Some(row) if row.deleted_at.is_none() => row,
        row => match merges::service::absent(conn, workspace, id, NOT_FOUND, row.is_some()).await? {
            e if e.code() == "trashed" && include_trashed => row.ok_or(e)?,
            e => return Err(e),
        },
    };
    one_dto(conn, workspace, row).await
}

/// The company outside the trash; 404 (`trashed` when it is in the trash) otherwise.
async fn live_row(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<CompanyRow> {
    match store::find(conn, workspace, id).await? {
        Some(row) if row.deleted_at.is_none() => Ok(row),
        row => Err(merges::service::absent(conn, workspace, id, NOT_FOUND, row.is_some()).await?),
    }
}

fn record<'a>(
    id: Uuid,
    action: Action,
    summary: crate::activity::message::Summary,
    fields: &'a [&'a str],
) -> Change<'a> {
    Change {
        entity: Entity::Company,
        entity_id: id,
        action,
        summary,
        contact_id: None,
        fields,
    }
}

/// A company and its history entry, with its possible duplicates: one statement (after reading
/// the custom fields' definitions when it sets custom fields).
pub async fn create(conn: &mut AsyncPgConnection, workspace: WorkspaceId, input: CreateCompany) -> AppResult<Company> {
    let now = chrono::Utc::now();
    let name = input.name.trim().to_owned();
    let custom_fields = custom_fields::service::apply(
        conn,
        workspace,
        FieldEntity::Company,
        &serde_json::json!({}),
        &input.custom_fields,
    )
    .await?;
    let row = NewCompanyRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        name: name.clone(),
        domain: domain(input.domain),
        industry: clean(input.industry),
        size: clean(input.size),
        location: clean(input.location),
        notes: clean(input.notes),
        custom_fields,
        created_at: now,
        updated_at: now,
    };
    let summary = crate::summary!(CompanyAdded, name = row.name);
    let history = activity::service::entry(workspace, record(row.id, Action::Created, summary, &[]), now);
    let (row, possible) = store::insert_created(conn, &row, &history)
        .await
        .map_err(|e| name_taken(e.into(), &name))?;
    let possible = duplicates::service::possible_from(possible);
    let mut company = to_dto(row, 0);
    company.possible_duplicates = (!possible.is_empty()).then_some(possible);
    Ok(company)
}

/// An edit and its history entry in one statement, which answers with the company's live
/// contacts too.
pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateCompany,
    expected: Option<i32>,
) -> AppResult<Company> {
    let name = input.name.map(|n| n.trim().to_owned());
    let changes = CompanyChangeset {
        name: name.clone(),
        domain: input.domain.map(domain),
        industry: input.industry.map(clean),
        size: input.size.map(clean),
        location: input.location.map(clean),
        notes: input.notes.map(clean),
        custom_fields: None,
    };
    let mut changes = changes;
    if let Some(custom) = input.custom_fields.filter(|c| !c.is_empty()) {
        // Checked against the definitions, merged into the values as the statement finds them.
        changes.custom_fields =
            Some(custom_fields::service::change(conn, workspace, FieldEntity::Company, &custom).await?);
    }
    let fields = changes.changed_fields();
    if fields.is_empty() {
        let row = live_row(conn, workspace, id).await?;
        return match expected {
            Some(v) if v != row.version => Err(AppError::version_conflict(row.version)),
            _ => one_dto(conn, workspace, row).await,
        };
    }
    // The statement names the company as the update leaves it.
    let summary = crate::summary!(CompanyUpdated, name = "", fields = fields.join(","));
    let template = summary.english_template(&["name"]);
    let history = activity::service::entry(
        workspace,
        record(id, Action::Updated, summary, &fields),
        chrono::Utc::now(),
    );
    let outcome = store::update_recorded(conn, workspace, id, &changes, expected, (&history, &template))
        .await
        .map_err(|e| name_taken(e.into(), name.as_deref().unwrap_or("")))?;
    Ok(counted(written(outcome)?))
}

fn counted(c: store::Counted) -> Company {
    to_dto(c.company, c.contact_count)
}

/// Moves the company to the trash (or back) with its history entry, in one statement.
async fn set_trashed(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    trash: bool,
    expected: Option<i32>,
) -> AppResult<Company> {
    let (action, summary) = if trash {
        (Action::Trashed, crate::summary!(CompanyTrashed, name = ""))
    } else {
        (Action::Restored, crate::summary!(CompanyRestored, name = ""))
    };
    let template = summary.english_template(&["name"]);
    let history = activity::service::entry(workspace, record(id, action, summary, &[]), chrono::Utc::now());
    let outcome = store::set_trashed(conn, workspace, id, trash, expected, (&history, &template))
        .await
        .map_err(|e| {
            let e = AppError::from(e);
            if e.code() == "already_exists" {
                AppError::conflict(
                    "already_exists",
                    "a live company already has this name; rename one of them first",
                )
            } else {
                e
            }
        })?;
    Ok(counted(written(outcome)?))
}

/// Moves the company to the trash. Its contacts keep their link and can be moved elsewhere.
pub async fn trash(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    set_trashed(conn, workspace, id, true, expected).await.map(|_| ())
}

pub async fn restore(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<Company> {
    set_trashed(conn, workspace, id, false, expected).await.map_err(|e| {
        if e.code() == "not_found" {
            AppError::not_found("a company in the trash with this id")
        } else {
            e
        }
    })
}

/// The columns of a companies export (custom fields last, as `custom.<key>`).
pub async fn export_header(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
) -> AppResult<(Vec<String>, Vec<String>)> {
    let keys: Vec<String> = custom_fields::service::defs(conn, workspace, FieldEntity::Company)
        .await?
        .into_iter()
        .map(|d| d.key)
        .collect();
    let mut header: Vec<String> = [
        "id",
        "name",
        "domain",
        "industry",
        "size",
        "location",
        "contacts",
        "notes",
        "created_at",
        "updated_at",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect();
    header.extend(keys.iter().map(|k| format!("custom.{k}")));
    Ok((header, keys))
}

/// The next page of a companies export, or `None` after the last; `query` moves past it.
pub async fn export_page(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    query: &mut CompanyQuery,
    custom_keys: &[String],
) -> AppResult<Option<Vec<Vec<Cell>>>> {
    query.limit = crate::exports::PAGE;
    query.include_total = false;
    let rows = store::list(conn, workspace, query).await?;
    let (rows, after) = keyset::step(rows, query.limit, |r| (store::sort_value(r, &query.sort.key), r.id));
    if rows.is_empty() {
        return Ok(None);
    }
    query.after = after;
    let companies = to_dtos(conn, workspace, rows).await?;
    Ok(Some(
        companies
            .into_iter()
            .map(|c| {
                let mut cells = vec![
                    Cell::from(c.id.to_string()),
                    Cell::from(c.name),
                    Cell::from(c.domain),
                    Cell::from(c.industry),
                    Cell::from(c.size),
                    Cell::from(c.location),
                    Cell::from(c.contact_count),
                    Cell::from(c.notes),
                    Cell::from(c.created_at),
                    Cell::from(c.updated_at),
                ];
                cells.extend(custom_keys.iter().map(|k| json_cell(c.custom_fields.get(k))));
                cells
            })
            .collect(),
    ))
}
