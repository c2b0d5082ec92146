//! Payment rows and their SQL.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::keyset::{Sort, SortValue};
use crate::db::schema::payments;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments, check_for_backend(Pg))]
pub struct PaymentRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub deal_id: Option<Uuid>,
    pub amount_minor: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = payments)]
pub struct PaymentChangeset {
    pub deal_id: Option<Option<Uuid>>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub note: Option<Option<String>>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &PaymentRow) -> QueryResult<()> {
    diesel::insert_into(payments::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: Uuid, id: Uuid) -> QueryResult<Option<PaymentRow>> {
    payments::table
        .filter(payments::workspace_id.eq(workspace).and(payments::id.eq(id)))
        .select(PaymentRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    contact: Option<Uuid>,
    deal: Option<Uuid>,
    sort: &Sort,
    after: Option<&(SortValue, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<PaymentRow>> {
    let mut query = payments::table
        .filter(payments::workspace_id.eq(workspace))
        .select(PaymentRow::as_select())
        .into_boxed();
    if let Some(c) = contact {
        query = query.filter(payments::contact_id.eq(c));
    }
    if let Some(d) = deal {
        query = query.filter(payments::deal_id.eq(d));
    }
    if let Some((value, id)) = after {
        query = query.filter(sort.condition("payments.id", value, *id));
    }
    query
        .order(sql::<Text>(&sort.order_sql("payments.id")))
        .limit(limit + 1)
        .load(conn)
        .await
}

crate::versioned_writes!(payments, PaymentRow, PaymentChangeset);
