//! Pipeline rules: names unique per workspace, at least one open stage, stages with deals are
//! only deleted after their deals move, and every stage change bumps the pipeline's version.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{
    CreatePipeline, NewStage, Pipeline, PipelineList, ReorderStages, Stage, StageKind, UpdatePipeline, UpdateStage,
};
use super::store::{self, PipelineRow, StageRow};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::deals;
use crate::error::{AppError, AppResult};

const NOT_FOUND: &str = "the pipeline";

pub fn stage_dto(row: &StageRow) -> Stage {
    Stage {
        id: row.id,
        pipeline_id: row.pipeline_id,
        name: row.name.clone(),
        position: row.position,
        probability: row.probability,
        kind: row.kind,
    }
}

fn to_dto(row: PipelineRow, stages: &[StageRow]) -> Pipeline {
    Pipeline {
        id: row.id,
        name: row.name,
        position: row.position,
        stages: stages
            .iter()
            .filter(|s| s.pipeline_id == row.id)
            .map(stage_dto)
            .collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn written(outcome: WriteOutcome<PipelineRow>) -> AppResult<PipelineRow> {
    outcome.into_result(NOT_FOUND)
}

fn record(id: Uuid, action: Action, summary: crate::activity::message::Summary) -> Change<'static> {
    Change {
        entity: Entity::Pipeline,
        entity_id: id,
        action,
        summary,
        contact_id: None,
        fields: &[],
    }
}

/// Pipelines with their stages, from one statement's rows (one per stage).
async fn load(conn: &mut AsyncPgConnection, workspace: WorkspaceId, only: Option<Uuid>) -> AppResult<Vec<Pipeline>> {
    let rows = store::with_stages(conn, workspace, only).await?;
    let mut pipelines: Vec<PipelineRow> = Vec::new();
    let mut stages: Vec<StageRow> = Vec::new();
    for (pipeline, stage) in rows {
        if pipelines.last().map(|p| p.id) != Some(pipeline.id) {
            pipelines.push(pipeline);
        }
        stages.extend(stage);
    }
    Ok(pipelines.into_iter().map(|r| to_dto(r, &stages)).collect())
}

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<PipelineList> {
    Ok(PipelineList {
        items: load(conn, workspace, None).await?,
    })
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Pipeline> {
    load(conn, workspace, Some(id))
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

/// A stage of the workspace (any pipeline).
pub async fn stage(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Option<StageRow>> {
    Ok(store::find_stage(conn, workspace, id).await?)
}

/// The stages of one pipeline, in order.
pub async fn stages(conn: &mut AsyncPgConnection, workspace: WorkspaceId, pipeline: Uuid) -> AppResult<Vec<StageRow>> {
    Ok(store::stages(conn, workspace, &[pipeline]).await?)
}

/// The pipeline `id` — or, with `None`, the one new deals go to when none is named (the first) —
/// with its stages in order, in one statement; `None` when there is no such pipeline.
pub async fn with_its_stages(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Option<Uuid>,
) -> AppResult<Option<(PipelineRow, Vec<StageRow>)>> {
    let mut found: Option<(PipelineRow, Vec<StageRow>)> = None;
    for (pipeline, stage) in store::with_stages(conn, workspace, id).await? {
        match &mut found {
            None => found = Some((pipeline, stage.into_iter().collect())),
            // Rows come pipeline by pipeline, the first one first.
            Some((first, stages)) if first.id == pipeline.id => stages.extend(stage),
            Some(_) => break,
        }
    }
    Ok(found)
}

fn default_probability(kind: StageKind) -> i16 {
    match kind {
        StageKind::Open => 10,
        StageKind::Won => 100,
        StageKind::Lost => 0,
    }
}

fn new_stage_row(workspace: WorkspaceId, pipeline: Uuid, position: i32, s: &NewStage) -> StageRow {
    let kind = s.kind.unwrap_or(StageKind::Open);
    let now = Utc::now();
    StageRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        pipeline_id: pipeline,
        name: s.name.trim().to_owned(),
        position,
        probability: s.probability.unwrap_or_else(|| default_probability(kind)),
        kind,
        created_at: now,
        updated_at: now,
    }
}

fn check_stage_names<'a>(names: impl Iterator<Item = &'a str>, field: &str) -> AppResult<()> {
    let mut seen = HashSet::new();
    for name in names {
        if !seen.insert(name.trim().to_lowercase()) {
            return Err(AppError::invalid_field(
                field,
                format!("two stages are called '{}'; stage names must differ", name.trim()),
            ));
        }
    }
    Ok(())
}

async fn check_name(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    name: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    if store::name_taken(conn, workspace, name, except).await? {
        return Err(AppError::conflict(
            "duplicate_pipeline",
            format!("a pipeline called '{name}' already exists"),
        ));
    }
    Ok(())
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreatePipeline,
) -> AppResult<Pipeline> {
    let stages = input.stages.unwrap_or_else(|| {
        [
            ("New", StageKind::Open),
            ("Won", StageKind::Won),
            ("Lost", StageKind::Lost),
        ]
        .into_iter()
        .map(|(name, kind)| NewStage {
            name: name.into(),
            probability: None,
            kind: Some(kind),
            position: None,
        })
        .collect()
    });
    check_stage_names(stages.iter().map(|s| s.name.as_str()), "stages")?;
    if !stages
        .iter()
        .any(|s| s.kind.unwrap_or(StageKind::Open) == StageKind::Open)
    {
        return Err(AppError::invalid_field(
            "stages",
            "a pipeline needs at least one open stage",
        ));
    }
    let name = input.name.trim().to_owned();
    conn.transaction::<_, AppError, _>(async move |conn| {
        check_name(conn, workspace, &name, None).await?;
        let now = Utc::now();
        let position = store::list(conn, workspace).await?.len() as i32;
        let row = PipelineRow {
            id: Uuid::now_v7(),
            workspace_id: workspace,
            name,
            position,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let stage_rows: Vec<StageRow> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| new_stage_row(workspace, row.id, i as i32, s))
            .collect();
        store::insert(conn, &row, &stage_rows).await?;
        let summary = crate::summary!(PipelineCreated, name = row.name);
        activity::service::record(conn, workspace, record(row.id, Action::Created, summary)).await?;
        Ok(to_dto(row, &stage_rows))
    })
    .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdatePipeline,
    expected: Option<i32>,
) -> AppResult<Pipeline> {
    let name = input.name.map(|n| n.trim().to_owned());
    conn.transaction::<_, AppError, _>(async move |conn| {
        if let Some(name) = &name {
            check_name(conn, workspace, name, Some(id)).await?;
        }
        let row = written(store::touch(conn, workspace, id, name.as_deref(), None, expected).await?)?;
        if let Some(position) = input.position {
            let mut order: Vec<Uuid> = store::list(conn, workspace)
                .await?
                .into_iter()
                .map(|p| p.id)
                .filter(|p| *p != id)
                .collect();
            order.insert((position as usize).min(order.len()), id);
            store::set_pipeline_positions(conn, workspace, &order).await?;
        }
        let summary = crate::summary!(PipelineEdited, name = row.name);
        activity::service::record(conn, workspace, record(id, Action::Updated, summary)).await?;
        get(conn, workspace, id).await
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
        let row = written(store::touch(conn, workspace, id, None, None, expected).await?)?;
        let (live, trashed) = store::deal_counts(conn, workspace, id, None).await?;
        if live + trashed > 0 {
            return Err(AppError::conflict(
                "pipeline_has_deals",
                format!(
                    "the pipeline '{}' still holds {} deal(s){}; move or delete them first",
                    row.name,
                    live + trashed,
                    if trashed > 0 {
                        format!(" ({trashed} in the trash)")
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        if store::list(conn, workspace).await?.len() <= 1 {
            return Err(AppError::conflict(
                "last_pipeline",
                "this is the workspace's only pipeline; create another before deleting it",
            ));
        }
        store::delete(conn, workspace, id).await?;
        let order: Vec<Uuid> = store::list(conn, workspace).await?.into_iter().map(|p| p.id).collect();
        store::set_pipeline_positions(conn, workspace, &order).await?;
        let summary = crate::summary!(PipelineDeleted, name = row.name);
        activity::service::record(conn, workspace, record(id, Action::Deleted, summary)).await?;
        Ok(())
    })
    .await
}

async fn require_stage(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    id: Uuid,
) -> AppResult<StageRow> {
    match store::find_stage(conn, workspace, id).await? {
        Some(s) if s.pipeline_id == pipeline => Ok(s),
        _ => Err(AppError::not_found("the stage")),
    }
}

pub async fn add_stage(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    input: NewStage,
) -> AppResult<Pipeline> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = written(store::touch(conn, workspace, pipeline, None, None, None).await?)?;
        let current = store::stages(conn, workspace, &[pipeline]).await?;
        if current.len() >= 30 {
            return Err(AppError::conflict(
                "too_many_stages",
                "a pipeline has at most 30 stages",
            ));
        }
        check_stage_names(
            current.iter().map(|s| s.name.as_str()).chain([input.name.as_str()]),
            "name",
        )?;
        let kind = input.kind.unwrap_or(StageKind::Open);
        // By default an open stage goes after the last open one, a closed one at the end.
        let default_at = match kind {
            StageKind::Open => current.iter().filter(|s| s.kind == StageKind::Open).count(),
            _ => current.len(),
        };
        let at = input
            .position
            .map(|p| p as usize)
            .unwrap_or(default_at)
            .min(current.len());
        let stage = new_stage_row(workspace, pipeline, current.len() as i32, &input);
        store::insert_stage(conn, &stage).await?;
        let mut order: Vec<Uuid> = current.iter().map(|s| s.id).collect();
        order.insert(at, stage.id);
        store::set_stage_positions(conn, workspace, pipeline, &order).await?;
        let summary = crate::summary!(StageAdded, stage = stage.name, name = row.name);
        activity::service::record(conn, workspace, record(pipeline, Action::Updated, summary)).await?;
        get(conn, workspace, pipeline).await
    })
    .await
}

pub async fn update_stage(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    id: Uuid,
    input: UpdateStage,
) -> AppResult<Pipeline> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let stage = require_stage(conn, workspace, pipeline, id).await?;
        let row = written(store::touch(conn, workspace, pipeline, None, None, None).await?)?;
        let current = store::stages(conn, workspace, &[pipeline]).await?;
        if let Some(name) = &input.name {
            check_stage_names(
                current
                    .iter()
                    .filter(|s| s.id != id)
                    .map(|s| s.name.as_str())
                    .chain([name.as_str()]),
                "name",
            )?;
        }
        if let Some(kind) = input.kind.filter(|k| *k != stage.kind) {
            let (live, trashed) = store::deal_counts(conn, workspace, pipeline, Some(id)).await?;
            if live + trashed > 0 {
                return Err(AppError::conflict(
                    "stage_has_deals",
                    format!(
                        "the stage '{}' holds {} deal(s); move them before making it a {kind} stage",
                        stage.name,
                        live + trashed
                    ),
                ));
            }
            let open_left = current
                .iter()
                .filter(|s| s.id != id && s.kind == StageKind::Open)
                .count();
            if kind != StageKind::Open && open_left == 0 {
                return Err(AppError::invalid_field(
                    "kind",
                    "a pipeline needs at least one open stage",
                ));
            }
        }
        store::update_stage(
            conn,
            workspace,
            id,
            input.name.map(|n| n.trim().to_owned()),
            input.probability,
            input.kind,
        )
        .await?;
        let summary = crate::summary!(StageEdited, stage = stage.name, name = row.name);
        activity::service::record(conn, workspace, record(pipeline, Action::Updated, summary)).await?;
        get(conn, workspace, pipeline).await
    })
    .await
}

pub async fn reorder_stages(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    input: ReorderStages,
) -> AppResult<Pipeline> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let row = written(store::touch(conn, workspace, pipeline, None, None, None).await?)?;
        let current: HashSet<Uuid> = store::stages(conn, workspace, &[pipeline])
            .await?
            .iter()
            .map(|s| s.id)
            .collect();
        let given: HashSet<Uuid> = input.stage_ids.iter().copied().collect();
        if given.len() != input.stage_ids.len() || given != current {
            return Err(AppError::invalid_field(
                "stage_ids",
                format!("must list each of the pipeline's {} stages exactly once", current.len()),
            ));
        }
        store::set_stage_positions(conn, workspace, pipeline, &input.stage_ids).await?;
        let summary = crate::summary!(StagesReordered, name = row.name);
        activity::service::record(conn, workspace, record(pipeline, Action::Updated, summary)).await?;
        get(conn, workspace, pipeline).await
    })
    .await
}

pub async fn delete_stage(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    id: Uuid,
    move_to: Option<Uuid>,
) -> AppResult<Pipeline> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let stage = require_stage(conn, workspace, pipeline, id).await?;
        let row = written(store::touch(conn, workspace, pipeline, None, None, None).await?)?;
        let current = store::stages(conn, workspace, &[pipeline]).await?;
        if stage.kind == StageKind::Open
            && !current
                .iter()
                .any(|s| s.id != id && s.kind == StageKind::Open)
        {
            return Err(AppError::conflict(
                "last_open_stage",
                "this is the pipeline's only open stage; add another before deleting it",
            ));
        }
        let (live, trashed) = store::deal_counts(conn, workspace, pipeline, Some(id)).await?;
        if live + trashed > 0 {
            let Some(target) = move_to else {
                return Err(AppError::conflict(
                    "stage_has_deals",
                    format!(
                        "the stage '{}' holds {} deal(s); pass move_to with another stage of this pipeline to move them there first",
                        stage.name,
                        live + trashed
                    ),
                ));
            };
            let target = match current.iter().find(|s| s.id == target && s.id != id) {
                Some(t) => t.clone(),
                None => {
                    return Err(AppError::invalid_field(
                        "move_to",
                        "must be another stage of the same pipeline",
                    ));
                }
            };
            deals::service::move_all(conn, workspace, &stage, &target).await?;
        }
        store::delete_stage(conn, workspace, id).await?;
        let order: Vec<Uuid> = current.iter().map(|s| s.id).filter(|s| *s != id).collect();
        store::set_stage_positions(conn, workspace, pipeline, &order).await?;
        let summary = crate::summary!(StageDeleted, stage = stage.name, name = row.name);
        activity::service::record(conn, workspace, record(pipeline, Action::Updated, summary)).await?;
        get(conn, workspace, pipeline).await
    })
    .await
}

/// Stage rows by id for every pipeline of the workspace.
pub async fn all_stages(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<HashMap<Uuid, StageRow>> {
    let ids: Vec<Uuid> = store::list(conn, workspace).await?.iter().map(|p| p.id).collect();
    Ok(store::stages(conn, workspace, &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}
