//! Deal rules: a deal's stage belongs to its pipeline, its status follows the stage's kind,
//! every stage change is recorded in its history, and the board is built in four queries.

use std::collections::HashMap;

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::dto::{
    Board, BoardColumn, BoardParams, CreateDeal, Deal, DealPage, DealStatus, ListDealsParams, MoneyTotal, StageChange,
    StageHistory, UpdateDeal,
};
use super::store::{self, DealChangeset, DealFilter, DealRow, DealView, HistoryRow};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::custom_fields;
use crate::custom_fields::dto::FieldEntity;
use crate::db::WorkspaceId;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::db::{WriteOutcome, like_contains};
use crate::dto::clean;
use crate::error::{AppError, AppResult};
use crate::http::params::{self, ParamErrors};
use crate::pipelines;
use crate::pipelines::dto::StageKind;
use crate::pipelines::store::StageRow;

const NOT_FOUND: &str = "the deal";

const SORTS: &[SortKey] = &[
    SortKey {
        name: "created_at",
        sql: "deals.created_at",
        kind: KeyKind::Time,
    },
    SortKey {
        name: "title",
        sql: "deals.sort_title",
        kind: KeyKind::Text,
    },
    SortKey {
        name: "stage_changed_at",
        sql: "deals.stage_changed_at",
        kind: KeyKind::Time,
    },
];

fn status_of(kind: StageKind) -> DealStatus {
    match kind {
        StageKind::Open => DealStatus::Open,
        StageKind::Won => DealStatus::Won,
        StageKind::Lost => DealStatus::Lost,
    }
}

fn kind_of(status: DealStatus) -> StageKind {
    match status {
        DealStatus::Open => StageKind::Open,
        DealStatus::Won => StageKind::Won,
        DealStatus::Lost => StageKind::Lost,
    }
}

/// `value × months` for a retainer, else the value.
pub fn total_value(value_minor: i64, recurring_months: Option<i32>) -> i64 {
    value_minor.saturating_mul(i64::from(recurring_months.unwrap_or(1)))
}

/// `value × probability / 100`, rounded half away from zero.
pub fn weighted(value_minor: i64, probability: i16) -> i64 {
    let v = i128::from(value_minor) * i128::from(probability);
    ((v + 50) / 100) as i64
}

fn display_name(first: Option<String>, last: Option<String>) -> Option<String> {
    let name = format!("{} {}", first?, last.unwrap_or_default());
    Some(name.trim().to_owned())
}

pub fn to_dto(view: DealView) -> Deal {
    let (row, stage_name, stage_probability, pipeline_name, first, last, company_name) = view;
    let probability = row.probability.unwrap_or(stage_probability);
    let total = total_value(row.value_minor, row.recurring_months);
    Deal {
        id: row.id,
        title: row.title,
        contact_id: row.contact_id,
        contact_name: display_name(first, last),
        company_id: row.company_id,
        company_name,
        pipeline_id: row.pipeline_id,
        pipeline_name,
        stage_id: row.stage_id,
        stage_name,
        value_minor: row.value_minor,
        currency: row.currency,
        recurring_months: row.recurring_months,
        total_value_minor: total,
        probability,
        probability_overridden: row.probability.is_some(),
        weighted_value_minor: weighted(total, probability),
        expected_close_date: row.expected_close_date,
        status: row.status,
        lost_reason: row.lost_reason,
        notes: row.notes,
        custom_fields: row.custom_fields,
        stage_changed_at: row.stage_changed_at,
        closed_at: row.closed_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted_at: row.deleted_at,
        owner_id: row.owner_id,
        version: row.version,
    }
}

fn written<T>(outcome: WriteOutcome<T>) -> AppResult<T> {
    outcome.into_result(NOT_FOUND)
}

fn record<'a>(
    row: &DealRow,
    action: Action,
    summary: crate::activity::message::Summary,
    fields: &'a [&'a str],
) -> Change<'a> {
    Change {
        entity: Entity::Deal,
        entity_id: row.id,
        action,
        summary,
        contact_id: row.contact_id,
        fields,
    }
}

/// A page of deals; `me` is the caller (for `owner=me`).
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    p: &ListDealsParams,
    me: Uuid,
) -> AppResult<DealPage> {
    let mut errors = ParamErrors::default();
    let status = errors
        .take(params::choice::<DealStatus>("status", p.status.as_deref()))
        .flatten();
    let filter = DealFilter {
        title_like: p
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| like_contains(&q.to_lowercase())),
        pipeline: errors
            .take(params::uuid("pipeline_id", p.pipeline_id.as_deref()))
            .flatten(),
        stage: errors.take(params::uuid("stage_id", p.stage_id.as_deref())).flatten(),
        status,
        contact: errors
            .take(params::uuid("contact_id", p.contact_id.as_deref()))
            .flatten(),
        company: errors
            .take(params::uuid("company_id", p.company_id.as_deref()))
            .flatten(),
        owner: errors.take(params::owner("owner", p.owner.as_deref(), me)).flatten(),
        trashed: errors
            .take(params::boolean("trashed", p.trashed.as_deref()))
            .unwrap_or(false),
    };
    let include_total = errors
        .take(params::boolean("include_total", p.include_total.as_deref()))
        .unwrap_or(false);
    let sort = errors.take(Sort::parse(p.sort.as_deref(), SORTS, "-created_at"));
    let limit = errors.take(params::limit(p.limit.as_deref()));
    let after = match &sort {
        Some(sort) => errors.take(sort.after(p.cursor.as_deref())).flatten(),
        None => None,
    };
    errors.finish()?;
    let (Some(sort), Some(limit)) = (sort, limit) else {
        return Err(AppError::internal(anyhow::anyhow!("validated parameters missing")));
    };
    let rows = store::list(conn, workspace, &filter, &sort, after.as_ref(), limit).await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &sort, |(r, ..)| {
        let value = match sort.key.name {
            "title" => SortValue::Text(r.title.to_lowercase()),
            "stage_changed_at" => SortValue::Time(r.stage_changed_at),
            _ => SortValue::Time(r.created_at),
        };
        (value, r.id)
    });
    let total = if include_total {
        Some(store::count(conn, workspace, &filter).await?)
    } else {
        None
    };
    Ok(DealPage {
        items: rows.into_iter().map(to_dto).collect(),
        next_cursor,
        total,
    })
}

/// A deal. One in the trash answers 404 `trashed` unless `include_trashed` (its `deleted_at` then
/// says so).
pub async fn get(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    include_trashed: bool,
) -> AppResult<Deal> {
    match store::view(conn, workspace, id).await? {
        Some(row) if include_trashed || row.0.deleted_at.is_none() => Ok(to_dto(row)),
        Some(_) => Err(AppError::trashed(NOT_FOUND)),
        None => Err(AppError::not_found(NOT_FOUND)),
    }
}

/// The deal; 404 unless it exists and, with `live`, is not in the trash (`trashed` then).
pub async fn require(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid, live: bool) -> AppResult<DealRow> {
    match store::find(conn, workspace, id).await? {
        Some(row) if !live || row.deleted_at.is_none() => Ok(row),
        Some(_) => Err(AppError::trashed(NOT_FOUND)),
        None => Err(AppError::not_found(NOT_FOUND)),
    }
}

async fn contact_and_company(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Option<Uuid>,
) -> AppResult<Option<Option<Uuid>>> {
    let Some(contact) = contact else {
        return Ok(None);
    };
    match store::contact_brief(conn, workspace, contact).await? {
        Some((_, _, company)) => Ok(Some(company)),
        None => Err(no_live_contact()),
    }
}

fn no_live_contact() -> AppError {
    AppError::invalid_field("contact_id", "no contact (outside the trash) has this id")
}

async fn require_company(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<()> {
    crate::companies::service::resolve(conn, workspace, Some(id), None)
        .await
        .map(|_| ())
}

/// Picks the stage of `pipeline` a deal goes to: the one asked for (which must belong to the
/// pipeline), else the first of the wanted kind.
fn pick_stage(stages: &[StageRow], pipeline_name: &str, asked: Option<Uuid>, kind: StageKind) -> AppResult<StageRow> {
    if let Some(id) = asked {
        return stages.iter().find(|s| s.id == id).cloned().ok_or_else(|| {
            AppError::invalid_field(
                "stage_id",
                format!("is not a stage of the pipeline '{pipeline_name}'; pick one of its stages (or change pipeline_id too)"),
            )
        });
    }
    stages
        .iter()
        .find(|s| s.kind == kind)
        .cloned()
        .ok_or_else(|| AppError::invalid_field("status", format!("the pipeline '{pipeline_name}' has no {kind} stage")))
}

/// A deal, its first stage in its stage history and its history entry: one statement, which
/// also places the deal in its pipeline and stage (a company named is checked first, and custom
/// fields against their definitions). When it writes nothing, the reads that place a deal here
/// say why (no such pipeline or stage, no open stage, no pipeline at all, a contact not live).
pub async fn create(conn: &mut AsyncPgConnection, workspace: WorkspaceId, input: CreateDeal) -> AppResult<Deal> {
    // A company named is checked here; else the deal takes its contact's, which the statement
    // reads as it checks that the contact is live (as it takes the workspace's currency).
    if let Some(id) = input.company_id {
        require_company(conn, workspace, id).await?;
    }
    let custom = custom_fields::service::apply(
        conn,
        workspace,
        FieldEntity::Deal,
        &serde_json::json!({}),
        &input.custom_fields,
    )
    .await?;
    let asked = store::Placement {
        pipeline: input.pipeline_id,
        stage: input.stage_id,
    };
    if let Some(view) = insert(conn, workspace, &input, &custom, asked).await? {
        return Ok(to_dto(view));
    }
    // Nothing was written: the pipeline named, else the one of the stage named, else the first;
    // with its stages.
    let (pipeline, stages) = match (input.pipeline_id, input.stage_id) {
        (Some(id), _) => pipelines::service::with_its_stages(conn, workspace, Some(id))
            .await?
            .ok_or_else(|| AppError::invalid_field("pipeline_id", "no pipeline has this id"))?,
        (None, Some(stage)) => {
            let stage = pipelines::service::stage(conn, workspace, stage)
                .await?
                .ok_or_else(|| AppError::invalid_field("stage_id", "no stage has this id"))?;
            pipelines::service::with_its_stages(conn, workspace, Some(stage.pipeline_id))
                .await?
                .ok_or_else(|| AppError::not_found("the pipeline"))?
        }
        (None, None) => pipelines::service::with_its_stages(conn, workspace, None)
            .await?
            .ok_or_else(|| AppError::conflict("no_pipeline", "the workspace has no pipeline; create one first"))?,
    };
    let stage = pick_stage(&stages, &pipeline.name, input.stage_id, StageKind::Open)?;
    // Its place is there (now, at least): what is missing is a live contact.
    let placed = store::Placement {
        pipeline: Some(pipeline.id),
        stage: Some(stage.id),
    };
    insert(conn, workspace, &input, &custom, placed)
        .await?
        .map(to_dto)
        .ok_or_else(no_live_contact)
}

/// The statement of [`create`]: the deal where `place` puts it, or `None` when nothing was written.
async fn insert(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: &CreateDeal,
    custom: &serde_json::Value,
    place: store::Placement,
) -> AppResult<Option<DealView>> {
    let now = Utc::now();
    let row = DealRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        title: input.title.trim().to_owned(),
        contact_id: input.contact_id,
        company_id: input.company_id,
        owner_id: input
            .owner_id
            .unwrap_or_else(|| crate::accounts::actor::current().map(|a| a.user_id)),
        // The statement places the deal, and its status and closing follow from the stage.
        pipeline_id: place.pipeline.unwrap_or_default(),
        stage_id: place.stage.unwrap_or_default(),
        value_minor: input.value_minor.unwrap_or(0),
        currency: input.currency.clone().unwrap_or_default(),
        recurring_months: input.recurring_months,
        probability: input.probability,
        expected_close_date: input.expected_close_date,
        status: DealStatus::Open,
        lost_reason: clean(input.lost_reason.clone()),
        notes: clean(input.notes.clone()),
        custom_fields: custom.clone(),
        stage_changed_at: now,
        closed_at: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        version: 1,
    };
    let entered = HistoryRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        deal_id: row.id,
        from_stage_id: None,
        to_stage_id: place.stage,
        changed_at: now,
    };
    // The stage's name is read by the statement.
    let summary = crate::summary!(DealCreated, title = row.title, stage = "");
    let template = summary.english_template(&["stage"]);
    let history = activity::service::entry(workspace, record(&row, Action::Created, summary, &[]), now);
    let workspace_currency = input.currency.is_none();
    Ok(store::insert_recorded(conn, &row, place, workspace_currency, &entered, (&history, &template)).await?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateDeal,
    expected: Option<i32>,
) -> AppResult<Deal> {
    let current = require(conn, workspace, id, true).await?;
    if expected.is_some_and(|v| v != current.version) {
        return Err(AppError::version_conflict(current.version));
    }
    // Where the deal goes: pipeline, then stage, then the status that follows from it.
    let pipeline_id = input.pipeline_id.unwrap_or(current.pipeline_id);
    let moving = input.stage_id.is_some_and(|s| s != current.stage_id)
        || pipeline_id != current.pipeline_id
        || input.status.is_some_and(|s| s != current.status);
    // Pipelines and stages are read only for a deal that moves (staying where it is, it needs
    // nothing of them).
    let stage = if moving {
        let (pipeline, stages) = pipelines::service::with_its_stages(conn, workspace, Some(pipeline_id))
            .await?
            .ok_or_else(|| AppError::invalid_field("pipeline_id", "no pipeline has this id"))?;
        let wanted = input.status.map(kind_of).unwrap_or(StageKind::Open);
        let stage = pick_stage(&stages, &pipeline.name, input.stage_id, wanted)?;
        if let Some(status) = input.status.filter(|s| *s != status_of(stage.kind)) {
            return Err(AppError::invalid_field(
                "status",
                format!(
                    "the stage '{}' is a {} stage, so the deal cannot be {status} there",
                    stage.name, stage.kind
                ),
            ));
        }
        // The stage it leaves, when it stays in its pipeline.
        let left = stages.iter().find(|s| s.id == current.stage_id).map(|s| s.name.clone());
        Some((stage, left))
    } else {
        None
    };
    let (stage, left) = stage.unzip();
    let left = left.flatten();
    let status = stage.as_ref().map(|s| status_of(s.kind)).unwrap_or(current.status);
    if input.lost_reason.as_ref().is_some_and(|r| r.is_some()) && status != DealStatus::Lost {
        return Err(AppError::invalid_field(
            "lost_reason",
            "only a lost deal has a lost reason",
        ));
    }
    let contact_company = match input.contact_id {
        Some(contact) => contact_and_company(conn, workspace, contact).await?,
        None => None,
    };
    let company_id = match input.company_id {
        Some(Some(id)) => {
            require_company(conn, workspace, id).await?;
            Some(Some(id))
        }
        Some(None) => Some(None),
        // A new contact brings its company along when the deal had none.
        None if current.company_id.is_none() => contact_company.filter(|c| c.is_some()),
        None => None,
    };
    let custom = match &input.custom_fields {
        Some(changes) if !changes.is_empty() => Some(
            custom_fields::service::apply(conn, workspace, FieldEntity::Deal, &current.custom_fields, changes).await?,
        ),
        _ => None,
    };
    let now = Utc::now();
    let status_changed = status != current.status;
    let changes = DealChangeset {
        title: input.title.map(|t| t.trim().to_owned()),
        contact_id: input.contact_id,
        company_id,
        owner_id: input.owner_id,
        pipeline_id: input.pipeline_id,
        stage_id: stage.as_ref().map(|s| s.id),
        value_minor: input.value_minor,
        currency: input.currency,
        recurring_months: input.recurring_months,
        probability: input.probability,
        expected_close_date: input.expected_close_date,
        status: status_changed.then_some(status),
        lost_reason: if status == DealStatus::Lost {
            input.lost_reason.map(clean)
        } else if current.lost_reason.is_some() {
            Some(None)
        } else {
            None
        },
        notes: input.notes.map(clean),
        custom_fields: custom,
        stage_changed_at: stage.as_ref().map(|_| now),
        closed_at: if !status_changed {
            None
        } else if status == DealStatus::Open {
            Some(None)
        } else {
            Some(Some(now))
        },
        deleted_at: None,
    };
    // The entry is written with the change, from what is known before it: the deal is changed
    // only at the version read above.
    // (its contact is the deal's as the change leaves it, read by the statement).
    let title = changes.title.clone().unwrap_or_else(|| current.title.clone());
    let moved = stage.as_ref().map(|stage| HistoryRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        deal_id: id,
        from_stage_id: Some(current.stage_id),
        to_stage_id: Some(stage.id),
        changed_at: now,
    });
    let fields = changed_fields(&changes);
    let entry = match &stage {
        Some(stage) => {
            let lost_reason = match &changes.lost_reason {
                Some(reason) => reason.clone(),
                None => current.lost_reason.clone(),
            };
            let (action, summary) = match status {
                DealStatus::Won if status_changed => (Action::Won, crate::summary!(DealWon, title = title)),
                DealStatus::Lost if status_changed => (
                    Action::Lost,
                    match lost_reason {
                        Some(reason) => crate::summary!(DealLostReason, title = title, reason = reason),
                        None => crate::summary!(DealLost, title = title),
                    },
                ),
                _ => {
                    let from = match left {
                        Some(name) => name,
                        None => pipelines::service::stage(conn, workspace, current.stage_id)
                            .await?
                            .map(|s| s.name)
                            .unwrap_or_default(),
                    };
                    (
                        Action::Moved,
                        crate::summary!(DealMoved, title = title, from = from, to = stage.name),
                    )
                }
            };
            Some(record(&current, action, summary, &["stage_id"]))
        }
        None if !fields.is_empty() => Some(record(
            &current,
            Action::Updated,
            crate::summary!(DealEdited, title = title),
            &fields,
        )),
        None => None,
    }
    .map(|change| {
        let template = change.summary.english_template(&[]);
        (activity::service::entry(workspace, change, now), template)
    });
    let view = store::update_recorded(
        conn,
        workspace,
        id,
        &changes,
        Some(current.version),
        store::Recorded {
            now,
            moved: moved.as_ref(),
            history: entry.as_ref().map(|(row, template)| (row, template.as_str())),
        },
    )
    .await?;
    Ok(to_dto(written(view)?))
}

fn changed_fields(c: &DealChangeset) -> Vec<&'static str> {
    [
        ("title", c.title.is_some()),
        ("contact_id", c.contact_id.is_some()),
        ("company_id", c.company_id.is_some()),
        ("owner_id", c.owner_id.is_some()),
        ("value_minor", c.value_minor.is_some()),
        ("currency", c.currency.is_some()),
        ("recurring_months", c.recurring_months.is_some()),
        ("probability", c.probability.is_some()),
        ("expected_close_date", c.expected_close_date.is_some()),
        ("lost_reason", c.lost_reason.is_some()),
        ("notes", c.notes.is_some()),
        ("custom_fields", c.custom_fields.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, changed)| changed.then_some(f))
    .collect()
}

pub async fn trash(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    set_trashed(conn, workspace, id, expected, true).await.map(|_| ())
}

pub async fn restore(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Deal> {
    set_trashed(conn, workspace, id, None, false).await
}

/// Moves the deal to the trash (or back) with its history entry, in one statement after the
/// read that finds it.
async fn set_trashed(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
    trashed: bool,
) -> AppResult<Deal> {
    let current = require(conn, workspace, id, false).await?;
    if current.deleted_at.is_some() == trashed {
        if trashed {
            return Err(AppError::trashed(NOT_FOUND));
        }
        return get(conn, workspace, id, false).await;
    }
    if expected.is_some_and(|v| v != current.version) {
        return Err(AppError::version_conflict(current.version));
    }
    let now = Utc::now();
    let changes = DealChangeset {
        deleted_at: Some(trashed.then_some(now)),
        ..Default::default()
    };
    let (action, summary) = if trashed {
        (Action::Trashed, crate::summary!(DealTrashed, title = current.title))
    } else {
        (Action::Restored, crate::summary!(DealRestored, title = current.title))
    };
    let template = summary.english_template(&[]);
    let entry = activity::service::entry(workspace, record(&current, action, summary, &[]), now);
    let view = store::update_recorded(
        conn,
        workspace,
        id,
        &changes,
        Some(current.version),
        store::Recorded {
            now,
            moved: None,
            history: Some((&entry, &template)),
        },
    )
    .await?;
    Ok(to_dto(written(view)?))
}

pub async fn stage_history(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    include_trashed: bool,
) -> AppResult<StageHistory> {
    require(conn, workspace, id, !include_trashed).await?;
    let rows = store::history(conn, workspace, id).await?;
    let names: HashMap<Uuid, String> = pipelines::service::all_stages(conn, workspace)
        .await?
        .into_iter()
        .map(|(id, s)| (id, s.name))
        .collect();
    Ok(StageHistory {
        items: rows
            .into_iter()
            .map(|h| StageChange {
                id: h.id,
                from_stage_name: h.from_stage_id.and_then(|s| names.get(&s).cloned()),
                from_stage_id: h.from_stage_id,
                to_stage_name: h.to_stage_id.and_then(|s| names.get(&s).cloned()),
                to_stage_id: h.to_stage_id,
                changed_at: h.changed_at,
            })
            .collect(),
    })
}

pub async fn board(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    p: &BoardParams,
) -> AppResult<Board> {
    let per_stage = params::limit(p.limit_per_stage.as_deref())
        .map_err(|e| AppError::invalid_field("limit_per_stage", e.message))?;
    let pipeline = pipelines::service::get(conn, workspace, pipeline).await?;
    let totals = store::stage_totals(conn, workspace, pipeline.id).await?;
    let cards = store::board_cards(conn, workspace, pipeline.id, per_stage).await?;
    let mut by_stage: HashMap<Uuid, Vec<Deal>> = HashMap::new();
    for card in cards {
        let deal = to_dto(card);
        by_stage.entry(deal.stage_id).or_default().push(deal);
    }
    let columns = pipeline
        .stages
        .iter()
        .map(|stage| {
            let mine: Vec<_> = totals.iter().filter(|t| t.stage_id == stage.id).collect();
            let count = mine.iter().map(|t| t.deals).sum::<i64>();
            let deals = by_stage.remove(&stage.id).unwrap_or_default();
            BoardColumn {
                stage: stage.clone(),
                count,
                totals: mine
                    .iter()
                    .map(|t| MoneyTotal {
                        currency: t.currency.clone(),
                        value_minor: t.value_minor,
                        weighted_minor: t.weighted_minor,
                    })
                    .collect(),
                has_more: (deals.len() as i64) < count,
                deals,
            }
        })
        .collect();
    Ok(Board { pipeline, columns })
}

/// Folds the deal totals' changes (per stage and per day) into the totals; the number of totals
/// written.
pub async fn fold_totals(conn: &mut AsyncPgConnection) -> AppResult<usize> {
    let per_stage = store::fold_stage_totals(conn).await?;
    Ok(per_stage + store::fold_day_totals(conn).await?)
}

/// Removes the deal totals (per stage and per day) no deal counts in any more; how many.
pub async fn drop_empty_totals(conn: &mut AsyncPgConnection) -> AppResult<usize> {
    let per_stage = store::drop_empty_stage_totals(conn).await?;
    Ok(per_stage + store::drop_empty_day_totals(conn).await?)
}

/// Moves every deal of `from` to `to` (a stage of the same pipeline), for stage deletion.
pub async fn move_all(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    from: &StageRow,
    to: &StageRow,
) -> AppResult<()> {
    let moved = store::move_all(conn, workspace, from.id, to.id, status_of(to.kind), Utc::now()).await?;
    tracing::info!(deals = moved, from = %from.name, to = %to.name, %workspace, "moved deals out of a deleted stage");
    Ok(())
}

/// The open deals with no stage change since `before`, longest waiting first.
pub async fn stalled(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    before: chrono::DateTime<Utc>,
    owner: Option<Option<Uuid>>,
    limit: i64,
) -> AppResult<Vec<Deal>> {
    Ok(store::stalled(conn, workspace, before, owner, limit)
        .await?
        .into_iter()
        .map(to_dto)
        .collect())
}

/// These deals, in no particular order (missing ids are left out).
pub async fn get_many(conn: &mut AsyncPgConnection, workspace: WorkspaceId, ids: &[Uuid]) -> AppResult<Vec<Deal>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store::views(conn, workspace, ids)
        .await?
        .into_iter()
        .map(to_dto)
        .collect())
}

/// Checks that a touchpoint or reminder of `contact` may point at `deal`: the deal exists, is
/// not in the trash, and is that contact's (or nobody's).
pub async fn check_link(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    deal: Uuid,
    contact: Uuid,
) -> AppResult<()> {
    let row = require(conn, workspace, deal, true)
        .await
        .map_err(|_| AppError::invalid_field("deal_id", "no deal (outside the trash) has this id"))?;
    match row.contact_id {
        Some(other) if other != contact => Err(AppError::invalid_field(
            "deal_id",
            "the deal belongs to another contact",
        )),
        _ => Ok(()),
    }
}

/// Moves a deal's history `days` into the past (demo data): its whole timeline when `whole`,
/// else only its creation and first stage.
pub async fn backdate(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    deal: Uuid,
    days: i64,
    whole: bool,
) -> AppResult<()> {
    store::backdate(conn, workspace, deal, days.clamp(0, 36_500) as i32, whole).await?;
    Ok(())
}

/// The columns of a deals export (custom fields last, as `custom.<key>`).
pub async fn export_header(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
) -> AppResult<(Vec<String>, Vec<String>)> {
    let keys: Vec<String> =
        crate::custom_fields::service::defs(conn, workspace, crate::custom_fields::dto::FieldEntity::Deal)
            .await?
            .into_iter()
            .map(|d| d.key)
            .collect();
    let mut header: Vec<String> = [
        "id",
        "title",
        "contact",
        "company",
        "pipeline",
        "stage",
        "status",
        "value",
        "currency",
        "recurring_months",
        "total_value",
        "probability",
        "weighted_value",
        "expected_close_date",
        "lost_reason",
        "notes",
        "stage_changed_at",
        "closed_at",
        "created_at",
        "updated_at",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect();
    header.extend(keys.iter().map(|k| format!("custom.{k}")));
    Ok((header, keys))
}

/// The next page of a deals export (`params.cursor` moves past it), or `None` after the last.
pub async fn export_page(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    params: &mut ListDealsParams,
    me: Uuid,
    custom_keys: &[String],
    done: &mut bool,
) -> AppResult<Option<Vec<Vec<crate::exports::Cell>>>> {
    use crate::exports::{Cell, json_cell};
    if *done {
        return Ok(None);
    }
    params.limit = Some(crate::http::params::MAX_LIMIT.to_string());
    params.include_total = None;
    let page = list(conn, workspace, params, me).await?;
    match page.next_cursor {
        Some(next) => params.cursor = Some(next),
        None => *done = true,
    }
    if page.items.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        page.items
            .into_iter()
            .map(|d| {
                let mut cells = vec![
                    Cell::from(d.id.to_string()),
                    Cell::from(d.title),
                    Cell::from(d.contact_name),
                    Cell::from(d.company_name),
                    Cell::from(d.pipeline_name),
                    Cell::from(d.stage_name),
                    Cell::from(d.status.as_str()),
                    Cell::money(d.value_minor, &d.currency),
                    Cell::from(d.currency.clone()),
                    Cell::from(d.recurring_months),
                    Cell::money(d.total_value_minor, &d.currency),
                    Cell::from(d.probability),
                    Cell::money(d.weighted_value_minor, &d.currency),
                    Cell::from(d.expected_close_date),
                    Cell::from(d.lost_reason),
                    Cell::from(d.notes),
                    Cell::from(d.stage_changed_at),
                    Cell::from(d.closed_at),
                    Cell::from(d.created_at),
                    Cell::from(d.updated_at),
                ];
                cells.extend(custom_keys.iter().map(|k| json_cell(d.custom_fields.get(k))));
                cells
            })
            .collect(),
    ))
}
