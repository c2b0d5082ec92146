//! Proposal rules: lines come from the catalogue or free text (a free line needs a price),
//! totals are computed, never stored, numbers are sequential per workspace, and status changes
//! stamp when the proposal was sent and decided.

use std::collections::HashMap;

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{
    CreateProposal, ListProposalsParams, NewLine, Proposal, ProposalLine, ProposalPage, ProposalStatus, UpdateProposal,
};
use super::store::{self, LineRow, ProposalChangeset, ProposalRow};
use super::totals::{self, line_fits, scaled};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::keyset::{KeyKind, Sort, SortKey, SortValue};
use crate::deals;
use crate::deals::dto::Deal;
use crate::dto::clean;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::params::{self, ParamErrors};
use crate::products;

const NOT_FOUND: &str = "the proposal";
const NEWEST_FIRST: Sort = Sort {
    key: SortKey {
        name: "created_at",
        sql: "proposals.created_at",
        kind: KeyKind::Time,
    },
    descending: true,
};

fn to_dto(row: ProposalRow, lines: &[LineRow], deal: Option<&Deal>) -> Proposal {
    let mine: Vec<&LineRow> = lines.iter().filter(|l| l.proposal_id == row.id).collect();
    let sums = totals::totals(
        &mine
            .iter()
            .map(|l| (l.quantity_milli, l.unit_price_minor, l.discount_bp))
            .collect::<Vec<_>>(),
        row.tax_rate_bp,
    );
    Proposal {
        id: row.id,
        deal_id: row.deal_id,
        deal_title: deal.map_or_else(|| row.title.clone(), |d| d.title.clone()),
        contact_id: deal.and_then(|d| d.contact_id),
        contact_name: deal.and_then(|d| d.contact_name.clone()),
        company_name: deal.and_then(|d| d.company_name.clone()),
        number: row.number,
        title: row.title,
        status: row.status,
        currency: row.currency,
        tax_rate_percent: f64::from(row.tax_rate_bp) / 100.0,
        introduction: row.introduction,
        terms: row.terms,
        valid_until: row.valid_until,
        lines: mine
            .iter()
            .map(|l| {
                let (amount, discount, total) = totals::line(l.quantity_milli, l.unit_price_minor, l.discount_bp);
                ProposalLine {
                    id: l.id,
                    product_id: l.product_id,
                    description: l.description.clone(),
                    quantity: l.quantity_milli as f64 / 1000.0,
                    unit_price_minor: l.unit_price_minor,
                    discount_percent: f64::from(l.discount_bp) / 100.0,
                    amount_minor: amount,
                    discount_minor: discount,
                    total_minor: total,
                }
            })
            .collect(),
        totals: sums,
        sent_at: row.sent_at,
        decided_at: row.decided_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn written(outcome: WriteOutcome<ProposalRow>) -> AppResult<ProposalRow> {
    outcome.into_result(NOT_FOUND)
}

fn record(
    row: &ProposalRow,
    deal: Option<&Deal>,
    action: Action,
    summary: crate::activity::message::Summary,
) -> Change<'static> {
    Change {
        entity: Entity::Proposal,
        entity_id: row.id,
        action,
        summary,
        contact_id: deal.and_then(|d| d.contact_id),
        fields: &[],
    }
}

/// The proposal's deal (in the trash or not); None once the deal was purged.
async fn deal_of(conn: &mut AsyncPgConnection, workspace: WorkspaceId, row: &ProposalRow) -> AppResult<Option<Deal>> {
    match row.deal_id {
        Some(id) => Ok(Some(deals::service::get(conn, workspace, id, true).await?)),
        None => Ok(None),
    }
}

fn tax_bp(percent: f64) -> AppResult<i32> {
    scaled(percent, 100)
        .map(|bp| bp as i32)
        .ok_or_else(|| AppError::invalid_field("tax_rate_percent", "may have at most two decimals"))
}

/// Checks and completes the lines (catalogue defaults), reporting every bad line at once.
async fn build_lines(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    proposal: Uuid,
    currency: &str,
    lines: Vec<NewLine>,
) -> AppResult<Vec<LineRow>> {
    let ids: Vec<Uuid> = lines.iter().filter_map(|l| l.product_id).collect();
    let catalogue: HashMap<Uuid, products::store::ProductRow> = if ids.is_empty() {
        HashMap::new()
    } else {
        products::service::find_many(conn, workspace, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    let mut errors = Vec::new();
    let mut rows = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let product = match line.product_id {
            Some(id) => match catalogue.get(&id) {
                Some(p) => Some(p),
                None => {
                    errors.push(FieldError::new(field("product_id"), "no product has this id"));
                    continue;
                }
            },
            None => None,
        };
        let description = clean(line.description).or_else(|| product.map(|p| p.name.clone()));
        let Some(description) = description else {
            errors.push(FieldError::new(
                field("description"),
                "a line without a product needs a description",
            ));
            continue;
        };
        let price = match (line.unit_price_minor, product) {
            (Some(p), _) => p,
            (None, Some(p)) if p.currency == currency => p.price_minor,
            (None, Some(p)) => {
                errors.push(FieldError::new(
                    field("unit_price_minor"),
                    format!("the product is priced in {}; give a price in {currency}", p.currency),
                ));
                continue;
            }
            (None, None) => {
                errors.push(FieldError::new(
                    field("unit_price_minor"),
                    "a line without a product needs a price",
                ));
                continue;
            }
        };
        let Some(quantity) = scaled(line.quantity.unwrap_or(1.0), 1000).filter(|q| *q > 0) else {
            errors.push(FieldError::new(
                field("quantity"),
                "must be more than 0 with at most three decimals",
            ));
            continue;
        };
        let Some(discount) = scaled(line.discount_percent.unwrap_or(0.0), 100) else {
            errors.push(FieldError::new(
                field("discount_percent"),
                "may have at most two decimals",
            ));
            continue;
        };
        if !line_fits(quantity, price, crate::deals::dto::MAX_MINOR) {
            errors.push(FieldError::new(
                field("quantity"),
                "quantity × price comes to more than the largest amount a proposal can hold (10^13 minor units)",
            ));
            continue;
        }
        rows.push(LineRow {
            id: Uuid::now_v7(),
            proposal_id: proposal,
            position: i as i32,
            product_id: line.product_id,
            description,
            quantity_milli: quantity,
            unit_price_minor: price,
            discount_bp: discount as i32,
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(AppError::validation(errors))
    }
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Proposal> {
    let row = store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
    let lines = store::lines(conn, workspace, &[id]).await?;
    let deal = deal_of(conn, workspace, &row).await?;
    Ok(to_dto(row, &lines, deal.as_ref()))
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &ListProposalsParams,
) -> AppResult<ProposalPage> {
    let mut errors = ParamErrors::default();
    let deal = errors
        .take(crate::http::params::uuid("deal_id", p.deal_id.as_deref()))
        .flatten();
    let status = errors
        .take(params::choice::<ProposalStatus>("status", p.status.as_deref()))
        .flatten();
    let limit = errors.take(params::limit(p.limit.as_deref()));
    let after = errors.take(NEWEST_FIRST.after(p.cursor.as_deref())).flatten();
    errors.finish()?;
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let rows = store::list(conn, workspace, deal, status, after.as_ref(), limit).await?;
    let (rows, next_cursor) =
        crate::db::keyset::page(rows, limit, &NEWEST_FIRST, |r| (SortValue::Time(r.created_at), r.id));
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let lines = store::lines(conn, workspace, &ids).await?;
    let mut deal_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.deal_id).collect();
    deal_ids.sort_unstable();
    deal_ids.dedup();
    let deals: HashMap<Uuid, Deal> = deals::service::get_many(conn, workspace, &deal_ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    Ok(ProposalPage {
        items: rows
            .into_iter()
            .map(|r| {
                let deal = r.deal_id.and_then(|d| deals.get(&d));
                to_dto(r, &lines, deal)
            })
            .collect(),
        next_cursor,
    })
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateProposal,
) -> AppResult<Proposal> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let deal = deals::service::get(conn, workspace, input.deal_id, false)
            .await
            .ok()
            .ok_or_else(|| AppError::invalid_field("deal_id", "no deal (outside the trash) has this id"))?;
        let currency = input.currency.unwrap_or_else(|| deal.currency.clone());
        let tax = tax_bp(input.tax_rate_percent.unwrap_or(0.0))?;
        let id = Uuid::now_v7();
        let lines = build_lines(conn, workspace, id, &currency, input.lines).await?;
        let number = store::next_number(conn, workspace).await?;
        let now = Utc::now();
        let row = ProposalRow {
            id,
            workspace_id: workspace,
            deal_id: Some(deal.id),
            number,
            title: input
                .title
                .map(|t| t.trim().to_owned())
                .unwrap_or_else(|| deal.title.clone()),
            status: ProposalStatus::Draft,
            currency,
            tax_rate_bp: tax,
            introduction: clean(input.introduction),
            terms: clean(input.terms),
            valid_until: input.valid_until,
            sent_at: None,
            decided_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(conn, &row).await?;
        store::replace_lines(conn, workspace, id, &lines).await?;
        let summary = crate::summary!(ProposalDrafted, number = row.number, title = deal.title);
        activity::service::record(conn, workspace, record(&row, Some(&deal), Action::Created, summary)).await?;
        Ok(to_dto(row, &lines, Some(&deal)))
    })
    .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateProposal,
    expected: Option<i32>,
) -> AppResult<Proposal> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let current = store::find(conn, workspace, id)
            .await?
            .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
        let currency = input.currency.clone().unwrap_or_else(|| current.currency.clone());
        let lines = match input.lines {
            Some(lines) => Some(build_lines(conn, workspace, id, &currency, lines).await?),
            None => None,
        };
        let now = Utc::now();
        let status_changed = input.status.filter(|s| *s != current.status);
        let changes = ProposalChangeset {
            title: input.title.map(|t| t.trim().to_owned()),
            status: status_changed,
            currency: input.currency,
            tax_rate_bp: input.tax_rate_percent.map(tax_bp).transpose()?,
            introduction: input.introduction.map(clean),
            terms: input.terms.map(clean),
            valid_until: input.valid_until,
            sent_at: match status_changed {
                Some(ProposalStatus::Sent) if current.sent_at.is_none() => Some(Some(now)),
                _ => None,
            },
            decided_at: match status_changed {
                Some(ProposalStatus::Accepted | ProposalStatus::Declined) => Some(Some(now)),
                Some(_) => Some(None),
                None => None,
            },
        };
        let row = written(store::update(conn, workspace, id, &changes, expected).await?)?;
        if let Some(lines) = &lines {
            store::replace_lines(conn, workspace, id, lines).await?;
        }
        let deal = deal_of(conn, workspace, &row).await?;
        let title = deal.as_ref().map_or_else(|| row.title.clone(), |d| d.title.clone());
        let summary = match status_changed {
            Some(s) => crate::summary!(ProposalMarked, number = row.number, title = title, status = s),
            None => crate::summary!(ProposalEdited, number = row.number, title = title),
        };
        activity::service::record(conn, workspace, record(&row, deal.as_ref(), Action::Updated, summary)).await?;
        let lines = store::lines(conn, workspace, &[id]).await?;
        Ok(to_dto(row, &lines, deal.as_ref()))
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
        let deal = deal_of(conn, workspace, &row).await?;
        let title = deal.as_ref().map_or_else(|| row.title.clone(), |d| d.title.clone());
        let summary = crate::summary!(ProposalDeleted, number = row.number, title = title);
        activity::service::record(conn, workspace, record(&row, deal.as_ref(), Action::Deleted, summary)).await?;
        Ok(())
    })
    .await
}
