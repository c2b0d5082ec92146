//! Product rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::db::keyset::{Sort, SortValue};
use crate::db::schema::products;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = products, check_for_backend(Pg))]
pub struct ProductRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub sku: Option<String>,
    pub category: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub description: Option<String>,
    pub in_stock: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = products)]
pub struct ProductChangeset {
    pub name: Option<String>,
    pub sku: Option<Option<String>>,
    pub category: Option<Option<String>>,
    pub price_minor: Option<i64>,
    pub currency: Option<String>,
    pub description: Option<Option<String>>,
    pub in_stock: Option<bool>,
}

#[derive(Debug, Default)]
pub struct ProductFilter {
    pub like: Option<String>,
    pub category: Option<String>,
    pub in_stock: Option<bool>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ProductRow) -> QueryResult<()> {
    diesel::insert_into(products::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<ProductRow>> {
    products::table
        .filter(products::workspace_id.eq(workspace).and(products::id.eq(id)))
        .select(ProductRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// These products of the workspace, for filling proposal lines.
pub async fn find_many(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<ProductRow>> {
    products::table
        .filter(products::workspace_id.eq(workspace))
        .filter(products::id.eq_any(ids))
        .select(ProductRow::as_select())
        .load(conn)
        .await
}

/// True when another product of the workspace has this SKU (ignoring case).
pub async fn sku_taken(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    sku: &str,
    except: Option<Uuid>,
) -> QueryResult<bool> {
    let mut query = products::table
        .filter(products::workspace_id.eq(workspace))
        .filter(
            sql::<Bool>("lower(products.sku) = lower(")
                .bind::<Text, _>(sku.to_owned())
                .sql(")"),
        )
        .select(products::id)
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(products::id.ne(id));
    }
    Ok(query.first::<Uuid>(conn).await.optional()?.is_some())
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    filter: &ProductFilter,
    sort: &Sort,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ProductRow>> {
    let mut query = products::table
        .filter(products::workspace_id.eq(workspace))
        .select(ProductRow::as_select())
        .into_boxed();
    if let Some(like) = &filter.like {
        query = query.filter(
            products::sort_name.like(like.clone()).or(sql::<Bool>(
                "lower(coalesce(products.sku, '') || ' ' || coalesce(products.category, '')) LIKE ",
            )
            .bind::<Text, _>(like.clone())),
        );
    }
    if let Some(c) = &filter.category {
        query = query.filter(
            sql::<Bool>("lower(products.category) = lower(")
                .bind::<Text, _>(c.clone())
                .sql(")"),
        );
    }
    if let Some(s) = filter.in_stock {
        query = query.filter(products::in_stock.eq(s));
    }
    if let Some((value, id)) = after {
        query = query.filter(sort.condition("products.id", value, *id));
    }
    query
        .order(sql::<Text>(&sort.order_sql("products.id")))
        .limit(limit + 1)
        .load(conn)
        .await
}

crate::versioned_writes!(products, ProductRow, ProductChangeset);
