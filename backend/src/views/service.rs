//! Saved views: who sees and changes them, checking their query as the list would, and counting
//! what they match.

use actix_web::web::Query;
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::dto::{CreateView, SavedView, SavedViewList, UpdateView, ViewKind};
use super::store::{self, ViewChangeset, ViewRow};
use crate::accounts::dto::Role;
use crate::companies;
use crate::companies::query::{CompanyQuery, ListCompaniesParams};
use crate::contacts;
use crate::contacts::query::{ContactQuery, ListContactsParams};
use crate::db::WorkspaceId;
use crate::deals;
use crate::deals::dto::ListDealsParams;
use crate::error::{AppError, AppResult, FieldError};

const NOT_FOUND: &str = "the view";

/// At most this many views per member and workspace.
const MAX_OWNED: i64 = 100;

/// Who is asking: their id and role.
#[derive(Clone, Copy)]
pub struct Viewer {
    pub user: Uuid,
    pub role: Role,
}

fn visible(row: &ViewRow, viewer: Viewer) -> bool {
    row.shared || row.owner_id == Some(viewer.user)
}

/// The view, if `viewer` sees it (404 otherwise: a private view of someone else's is not there
/// for them).
async fn visible_row(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    viewer: Viewer,
) -> AppResult<ViewRow> {
    store::find(conn, workspace, id)
        .await?
        .filter(|r| visible(r, viewer))
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

/// The owner changes a view; admins may change a shared one too.
fn may_change(row: &ViewRow, viewer: Viewer) -> bool {
    row.owner_id == Some(viewer.user) || (row.shared && viewer.role.allows(Role::Admin))
}

/// The query string without what is not a filter or a sort (paging is the list's business).
fn clean_query(query: &str) -> String {
    let query = query.trim().trim_start_matches('?');
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, v)| !matches!(k.as_ref(), "limit" | "cursor" | "include_total") && !v.is_empty())
        .fold(url::form_urlencoded::Serializer::new(String::new()), |mut s, (k, v)| {
            s.append_pair(&k, &v);
            s
        })
        .finish()
}

/// How many records the list `query` of `kind` matches, as the list counts them.
pub async fn count(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: ViewKind,
    query: &str,
    me: Uuid,
) -> AppResult<i64> {
    let counted = format!("{query}&include_total=true&limit=1");
    let bad =
        |e: actix_web::error::QueryPayloadError| AppError::invalid_field("query", format!("not a list query: {e}"));
    let total = match kind {
        ViewKind::Contact => {
            let params = Query::<ListContactsParams>::from_query(&counted).map_err(bad)?;
            let q = ContactQuery::from_params(&params, me)?;
            contacts::service::list_with_custom_filter(conn, workspace, q, params.custom_field.as_deref())
                .await?
                .total
        }
        ViewKind::Company => {
            let params = Query::<ListCompaniesParams>::from_query(&counted).map_err(bad)?;
            let q = CompanyQuery::from_params(&params)?;
            companies::service::list(conn, workspace, q).await?.total
        }
        ViewKind::Deal => {
            let params = Query::<ListDealsParams>::from_query(&counted).map_err(bad)?;
            deals::service::list(conn, workspace, &params, me).await?.total
        }
    };
    Ok(total.unwrap_or(0))
}

/// The list query a view stands for, for a bulk change of `kind`: its filters (not its sort).
pub async fn query_for(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    kind: ViewKind,
    viewer: Viewer,
) -> AppResult<String> {
    let row = store::find(conn, workspace, id)
        .await?
        .filter(|r| visible(r, viewer))
        .ok_or_else(|| AppError::invalid_field("view_id", "no view you can see has this id"))?;
    if row.kind != kind {
        return Err(AppError::invalid_field(
            "view_id",
            format!("the view is of {} records", row.kind),
        ));
    }
    Ok(row.query)
}

async fn to_dto(conn: &mut AsyncPgConnection, workspace: WorkspaceId, row: ViewRow, viewer: Viewer) -> SavedView {
    // A view whose filters stopped working (a custom field deleted since) still opens, with a
    // notice instead of a count.
    let (count, notice) = match count(conn, workspace, row.kind, &row.query, viewer.user).await {
        Ok(n) => (Some(n), None),
        Err(e) if e.status().is_client_error() => (None, Some(notice(&e))),
        Err(_) => (None, Some("the view could not be counted right now".to_owned())),
    };
    SavedView {
        id: row.id,
        kind: row.kind,
        name: row.name,
        query: row.query,
        columns: row.display_columns,
        shared: row.shared,
        owner_id: row.owner_id,
        count,
        notice,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn notice(e: &AppError) -> String {
    match e.field_errors() {
        [] => format!("its filters no longer work: {}", e.detail()),
        errors => format!(
            "its filters no longer work: {}",
            errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// Checks a view's query as the list would (422 under `query` otherwise).
async fn check(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: ViewKind,
    query: &str,
    me: Uuid,
) -> AppResult<()> {
    match count(conn, workspace, kind, query, me).await {
        Ok(_) => Ok(()),
        Err(e) if e.code() == "validation_failed" => Err(AppError::validation(
            e.field_errors()
                .iter()
                .map(|f| {
                    FieldError::new(
                        format!("query.{}", f.field.trim_start_matches("query.")),
                        f.message.clone(),
                    )
                })
                .collect(),
        )),
        Err(e) => Err(e),
    }
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: Option<ViewKind>,
    viewer: Viewer,
) -> AppResult<SavedViewList> {
    let rows = store::list(conn, workspace, kind, viewer.user).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(to_dto(conn, workspace, row, viewer).await);
    }
    Ok(SavedViewList { items })
}

pub async fn get(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    viewer: Viewer,
) -> AppResult<SavedView> {
    let row = visible_row(conn, workspace, id, viewer).await?;
    Ok(to_dto(conn, workspace, row, viewer).await)
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateView,
    viewer: Viewer,
) -> AppResult<SavedView> {
    let query = clean_query(&input.query);
    check(conn, workspace, input.kind, &query, viewer.user).await?;
    if store::count_owned(conn, workspace, viewer.user).await? >= MAX_OWNED {
        return Err(AppError::conflict(
            "too_many_views",
            format!("you have {MAX_OWNED} views here already: delete one first"),
        ));
    }
    let now = Utc::now();
    let row = store::insert(
        conn,
        &ViewRow {
            id: Uuid::now_v7(),
            workspace_id: workspace,
            kind: input.kind,
            name: input.name.trim().to_owned(),
            query,
            display_columns: input.columns,
            shared: input.shared,
            owner_id: Some(viewer.user),
            created_at: now,
            updated_at: now,
            version: 1,
        },
    )
    .await?;
    Ok(to_dto(conn, workspace, row, viewer).await)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateView,
    expected: Option<i32>,
    viewer: Viewer,
) -> AppResult<SavedView> {
    let row = visible_row(conn, workspace, id, viewer).await?;
    if !may_change(&row, viewer) {
        return Err(AppError::forbidden(
            "only its owner (or an admin, for a shared view) changes a view",
        ));
    }
    let query = input.query.as_deref().map(clean_query);
    if let Some(q) = &query {
        check(conn, workspace, row.kind, q, viewer.user).await?;
    }
    let changes = ViewChangeset {
        name: input.name.map(|n| n.trim().to_owned()),
        query,
        display_columns: input.columns,
        shared: input.shared,
    };
    let row = store::update(conn, workspace, id, &changes, expected.or(input.version))
        .await?
        .into_result(NOT_FOUND)?;
    Ok(to_dto(conn, workspace, row, viewer).await)
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
    viewer: Viewer,
) -> AppResult<()> {
    let row = visible_row(conn, workspace, id, viewer).await?;
    if !may_change(&row, viewer) {
        return Err(AppError::forbidden(
            "only its owner (or an admin, for a shared view) deletes a view",
        ));
    }
    store::delete(conn, workspace, id, expected)
        .await?
        .into_result(NOT_FOUND)?;
    Ok(())
}
