//! Payment rules: the contact must be live, a deal must be the same contact's, and every
//! change is recorded in the activity feed.

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{CreatePayment, ListPaymentsParams, Payment, PaymentPage, UpdatePayment};
use super::store::{self, PaymentChangeset, PaymentRow};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::contacts;
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::deals;
use crate::dto::clean;
use crate::error::{AppError, AppResult};
use crate::http::params::{self, ParamErrors};

const NOT_FOUND: &str = "the payment";
const LATEST_FIRST: Sort = Sort {
    key: SortKey {
        name: "received_on",
        sql: "payments.received_on",
        kind: KeyKind::Date,
    },
    descending: true,
};

fn to_dto(row: PaymentRow) -> Payment {
    Payment {
        id: row.id,
        contact_id: row.contact_id,
        deal_id: row.deal_id,
        amount_minor: row.amount_minor,
        currency: row.currency,
        received_on: row.received_on,
        note: row.note,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn written(outcome: WriteOutcome<PaymentRow>) -> AppResult<PaymentRow> {
    outcome.into_result(NOT_FOUND)
}

fn record(row: &PaymentRow, action: Action, summary: crate::activity::message::Summary) -> Change<'static> {
    Change {
        entity: Entity::Payment,
        entity_id: row.id,
        action,
        summary,
        contact_id: row.contact_id,
        fields: &[],
    }
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &ListPaymentsParams,
) -> AppResult<PaymentPage> {
    let mut errors = ParamErrors::default();
    let contact = errors
        .take(params::uuid("contact_id", p.contact_id.as_deref()))
        .flatten();
    let deal = errors.take(params::uuid("deal_id", p.deal_id.as_deref())).flatten();
    let limit = errors.take(params::limit(p.limit.as_deref()));
    let after = errors.take(LATEST_FIRST.after(p.cursor.as_deref())).flatten();
    errors.finish()?;
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let rows = store::list(conn, workspace, contact, deal, &LATEST_FIRST, after.as_ref(), limit).await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &LATEST_FIRST, |r| (SortValue::Date(r.received_on), r.id));
    Ok(PaymentPage {
        items: rows.into_iter().map(to_dto).collect(),
        next_cursor,
    })
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Payment> {
    store::find(conn, workspace, id)
        .await?
        .map(to_dto)
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

/// The name of a payment's contact, for the history ("a person erased on request" once erased).
async fn payer(conn: &mut AsyncPgConnection, workspace: WorkspaceId, contact: Option<Uuid>) -> AppResult<String> {
    match contact {
        Some(id) => contacts::service::require(conn, workspace, id, false).await,
        None => Ok("a person erased on request".into()),
    }
}

/// The deal a payment is for: it must exist and belong to the payment's contact.
async fn check_deal(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Option<Uuid>,
    deal: Uuid,
) -> AppResult<deals::store::DealRow> {
    let deal = deals::service::require(conn, workspace, deal, false)
        .await
        .map_err(|_| AppError::invalid_field("deal_id", "no deal has this id"))?;
    if deal.contact_id != contact {
        return Err(AppError::invalid_field(
            "deal_id",
            "the deal belongs to another contact",
        ));
    }
    Ok(deal)
}

pub async fn create(conn: &mut AsyncPgConnection, workspace: WorkspaceId, input: CreatePayment) -> AppResult<Payment> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let name = contacts::service::require(conn, workspace, input.contact_id, true)
            .await
            .map_err(|_| AppError::invalid_field("contact_id", "no contact (outside the trash) has this id"))?;
        let deal = match input.deal_id {
            Some(d) => Some(check_deal(conn, workspace, Some(input.contact_id), d).await?),
            None => None,
        };
        let currency = match (input.currency, &deal) {
            (Some(c), _) => c,
            (None, Some(d)) => d.currency.clone(),
            (None, None) => crate::settings::service::get(conn, workspace).await?.currency,
        };
        let now = Utc::now();
        let row = PaymentRow {
            id: Uuid::now_v7(),
            workspace_id: workspace,
            contact_id: Some(input.contact_id),
            deal_id: input.deal_id,
            amount_minor: input.amount_minor,
            currency,
            received_on: input.received_on,
            note: clean(input.note),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(conn, &row).await?;
        let summary = crate::summary!(
            PaymentReceived,
            amount_minor = row.amount_minor,
            currency = row.currency,
            name = name
        );
        activity::service::record(conn, workspace, record(&row, Action::Created, summary)).await?;
        Ok(to_dto(row))
    })
    .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdatePayment,
    expected: Option<i32>,
) -> AppResult<Payment> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let current = store::find(conn, workspace, id)
            .await?
            .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
        if let Some(Some(deal)) = input.deal_id {
            check_deal(conn, workspace, current.contact_id, deal).await?;
        }
        let changes = PaymentChangeset {
            deal_id: input.deal_id,
            amount_minor: input.amount_minor,
            currency: input.currency,
            received_on: input.received_on,
            note: input.note.map(clean),
        };
        let row = written(store::update(conn, workspace, id, &changes, expected).await?)?;
        let name = payer(conn, workspace, row.contact_id).await?;
        let summary = crate::summary!(
            PaymentEdited,
            amount_minor = row.amount_minor,
            currency = row.currency,
            name = name
        );
        activity::service::record(conn, workspace, record(&row, Action::Updated, summary)).await?;
        Ok(to_dto(row))
    })
    .await
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = written(store::delete(conn, workspace, id, expected).await?)?;
        let name = payer(conn, workspace, row.contact_id).await?;
        let summary = crate::summary!(
            PaymentDeleted,
            amount_minor = row.amount_minor,
            currency = row.currency,
            name = name
        );
        activity::service::record(conn, workspace, record(&row, Action::Deleted, summary)).await?;
        Ok(())
    })
    .await
}
