//! Product rules: SKUs unique per workspace (ignoring case), prices in the product's currency.

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{CreateProduct, ListProductsParams, Product, ProductPage, UpdateProduct};
use super::store::{self, ProductChangeset, ProductFilter, ProductRow};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::db::WorkspaceId;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::db::{WriteOutcome, like_contains};
use crate::dto::clean;
use crate::error::{AppError, AppResult};
use crate::http::params::{self, ParamErrors};

const NOT_FOUND: &str = "the product";
const BY_NAME: Sort = Sort {
    key: SortKey {
        name: "name",
        sql: "products.sort_name",
        kind: KeyKind::Text,
    },
    descending: false,
};

pub fn to_dto(row: ProductRow) -> Product {
    Product {
        id: row.id,
        name: row.name,
        sku: row.sku,
        category: row.category,
        price_minor: row.price_minor,
        currency: row.currency,
        description: row.description,
        in_stock: row.in_stock,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn written(outcome: WriteOutcome<ProductRow>) -> AppResult<ProductRow> {
    outcome.into_result(NOT_FOUND)
}

fn record(row: &ProductRow, action: Action, summary: crate::activity::message::Summary) -> Change<'static> {
    Change {
        entity: Entity::Product,
        entity_id: row.id,
        action,
        summary,
        contact_id: None,
        fields: &[],
    }
}

async fn check_sku(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    sku: Option<&str>,
    except: Option<Uuid>,
) -> AppResult<()> {
    if let Some(sku) = sku
        && store::sku_taken(conn, workspace, sku, except).await?
    {
        return Err(AppError::conflict(
            "duplicate_sku",
            format!("another product already has the SKU '{sku}'"),
        ));
    }
    Ok(())
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &ListProductsParams,
) -> AppResult<ProductPage> {
    let mut errors = ParamErrors::default();
    let in_stock = match p.in_stock.as_deref().map(str::trim) {
        Some(raw) => errors.take(params::boolean("in_stock", Some(raw))),
        None => None,
    };
    let limit = errors.take(params::limit(p.limit.as_deref()));
    let after = errors.take(BY_NAME.after(p.cursor.as_deref())).flatten();
    errors.finish()?;
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let filter = ProductFilter {
        like: p
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| like_contains(&q.to_lowercase())),
        category: clean(p.category.clone()),
        in_stock,
    };
    let rows = store::list(conn, workspace, &filter, &BY_NAME, after.as_ref(), limit).await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &BY_NAME, |r| {
        (SortValue::Text(r.name.to_lowercase()), r.id)
    });
    Ok(ProductPage {
        items: rows.into_iter().map(to_dto).collect(),
        next_cursor,
    })
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Product> {
    store::find(conn, workspace, id)
        .await?
        .map(to_dto)
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

pub async fn create(conn: &mut AsyncPgConnection, workspace: WorkspaceId, input: CreateProduct) -> AppResult<Product> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let sku = clean(input.sku);
        check_sku(conn, workspace, sku.as_deref(), None).await?;
        let currency = match input.currency {
            Some(c) => c,
            None => crate::settings::service::get(conn, workspace).await?.currency,
        };
        let now = Utc::now();
        let row = ProductRow {
            id: Uuid::now_v7(),
            workspace_id: workspace,
            name: input.name.trim().to_owned(),
            sku,
            category: clean(input.category),
            price_minor: input.price_minor,
            currency,
            description: clean(input.description),
            in_stock: input.in_stock.unwrap_or(true),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(conn, &row).await?;
        let summary = crate::summary!(ProductAdded, name = row.name);
        activity::service::record(conn, workspace, record(&row, Action::Created, summary)).await?;
        Ok(to_dto(row))
    })
    .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateProduct,
    expected: Option<i32>,
) -> AppResult<Product> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let sku = input.sku.map(clean);
        if let Some(Some(sku)) = &sku {
            check_sku(conn, workspace, Some(sku), Some(id)).await?;
        }
        let changes = ProductChangeset {
            name: input.name.map(|n| n.trim().to_owned()),
            sku,
            category: input.category.map(clean),
            price_minor: input.price_minor,
            currency: input.currency,
            description: input.description.map(clean),
            in_stock: input.in_stock,
        };
        let row = written(store::update(conn, workspace, id, &changes, expected).await?)?;
        let summary = crate::summary!(ProductEdited, name = row.name);
        activity::service::record(conn, workspace, record(&row, Action::Updated, summary)).await?;
        Ok(to_dto(row))
    })
    .await
}

/// Deletes a product; proposals keep their lines (description and price are copied onto them).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = written(store::delete(conn, workspace, id, expected).await?)?;
        let summary = crate::summary!(ProductDeleted, name = row.name);
        activity::service::record(conn, workspace, record(&row, Action::Deleted, summary)).await?;
        Ok(())
    })
    .await
}

/// Products by id, for proposal lines that name one.
pub async fn find_many(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> AppResult<Vec<ProductRow>> {
    Ok(store::find_many(conn, workspace, ids).await?)
}
