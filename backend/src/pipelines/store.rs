//! Pipeline and stage rows and their SQL.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::StageKind;
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::schema::{pipeline_stages, pipelines};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pipelines, check_for_backend(Pg))]
pub struct PipelineRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pipeline_stages, check_for_backend(Pg))]
pub struct StageRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub pipeline_id: Uuid,
    pub name: String,
    pub position: i32,
    pub probability: i16,
    pub kind: StageKind,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<PipelineRow>> {
    pipelines::table
        .filter(pipelines::workspace_id.eq(workspace))
        .order((pipelines::position, pipelines::id))
        .select(PipelineRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<PipelineRow>> {
    pipelines::table
        .filter(pipelines::workspace_id.eq(workspace).and(pipelines::id.eq(id)))
        .select(PipelineRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The workspace's pipelines (or the one with `only` as its id) with their stages, in order, in one
/// statement: one row per stage, `None` for a pipeline without stages.
pub async fn with_stages(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    only: Option<Uuid>,
) -> QueryResult<Vec<(PipelineRow, Option<StageRow>)>> {
    let mut query = pipelines::table
        .left_join(pipeline_stages::table)
        .filter(pipelines::workspace_id.eq(workspace))
        .order((
            pipelines::position,
            pipelines::id,
            pipeline_stages::position,
            pipeline_stages::id,
        ))
        .select((PipelineRow::as_select(), Option::<StageRow>::as_select()))
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(pipelines::id.eq(id));
    }
    query.load(conn).await
}

/// The stages of these pipelines, in order.
pub async fn stages(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline_ids: &[Uuid],
) -> QueryResult<Vec<StageRow>> {
    pipeline_stages::table
        .filter(pipeline_stages::workspace_id.eq(workspace))
        .filter(pipeline_stages::pipeline_id.eq_any(pipeline_ids))
        .order((
            pipeline_stages::pipeline_id,
            pipeline_stages::position,
            pipeline_stages::id,
        ))
        .select(StageRow::as_select())
        .load(conn)
        .await
}

pub async fn find_stage(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Option<StageRow>> {
    pipeline_stages::table
        .filter(pipeline_stages::workspace_id.eq(workspace))
        .filter(pipeline_stages::id.eq(id))
        .select(StageRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn name_taken(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    name: &str,
    except: Option<Uuid>,
) -> QueryResult<bool> {
    let mut query = pipelines::table
        .filter(pipelines::workspace_id.eq(workspace))
        .filter(
            diesel::dsl::sql::<Bool>("lower(pipelines.name) = lower(")
                .bind::<diesel::sql_types::Text, _>(name.to_owned())
                .sql(")"),
        )
        .select(pipelines::id)
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(pipelines::id.ne(id));
    }
    Ok(query.first::<Uuid>(conn).await.optional()?.is_some())
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &PipelineRow, stages: &[StageRow]) -> QueryResult<()> {
    diesel::insert_into(pipelines::table).values(row).execute(conn).await?;
    diesel::insert_into(pipeline_stages::table)
        .values(stages)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_stage(conn: &mut AsyncPgConnection, row: &StageRow) -> QueryResult<()> {
    diesel::insert_into(pipeline_stages::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Bumps a pipeline's version (optionally checking it) and applies a new name or position.
pub async fn touch(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    name: Option<&str>,
    position: Option<i32>,
    expected: Option<i32>,
) -> QueryResult<WriteOutcome<PipelineRow>> {
    let target = pipelines::table
        .filter(pipelines::workspace_id.eq(workspace))
        .filter(pipelines::id.eq(id))
        .filter(
            pipelines::version
                .eq(expected.unwrap_or(0))
                .or(expected.is_none().into_sql::<Bool>()),
        );
    let updated = diesel::update(target)
        .set((
            name.map(|n| pipelines::name.eq(n.to_owned())),
            position.map(|p| pipelines::position.eq(p)),
            pipelines::version.eq(pipelines::version + 1),
            pipelines::updated_at.eq(Utc::now()),
        ))
        .returning(PipelineRow::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    Ok(match updated {
        Some(row) => WriteOutcome::Written(Box::new(row)),
        None => match find(conn, workspace, id).await? {
            Some(row) => WriteOutcome::Stale(row.version),
            None => WriteOutcome::Missing,
        },
    })
}

/// Puts the workspace's pipelines in this order.
pub async fn set_pipeline_positions(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ordered: &[Uuid],
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE pipelines p SET position = o.ord - 1, updated_at = now() \
         FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, ord) \
         WHERE p.id = o.id AND p.workspace_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(workspace)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ordered)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Puts a pipeline's stages in this order (positions 0, 1, 2, …) in one statement.
pub async fn set_stage_positions(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    ordered: &[Uuid],
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE pipeline_stages s SET position = o.ord - 1, updated_at = now() \
         FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, ord) \
         WHERE s.id = o.id AND s.pipeline_id = $1 AND s.workspace_id = $3",
    )
    .bind::<diesel::sql_types::Uuid, _>(pipeline)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ordered)
    .bind::<diesel::sql_types::Uuid, _>(workspace)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn update_stage(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    name: Option<String>,
    probability: Option<i16>,
    kind: Option<StageKind>,
) -> QueryResult<()> {
    diesel::update(
        pipeline_stages::table
            .find(id)
            .filter(pipeline_stages::workspace_id.eq(workspace)),
    )
    .set((
        name.map(|n| pipeline_stages::name.eq(n)),
        probability.map(|p| pipeline_stages::probability.eq(p)),
        kind.map(|k| pipeline_stages::kind.eq(k)),
        pipeline_stages::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn delete_stage(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<()> {
    diesel::delete(
        pipeline_stages::table
            .find(id)
            .filter(pipeline_stages::workspace_id.eq(workspace)),
    )
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn delete(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<()> {
    diesel::delete(pipelines::table.find(id).filter(pipelines::workspace_id.eq(workspace)))
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    live: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    trashed: i64,
}

/// How many deals (live, trashed) sit in a pipeline, or in one of its stages.
pub async fn deal_counts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    pipeline: Uuid,
    stage: Option<Uuid>,
) -> QueryResult<(i64, i64)> {
    let counts: Counts = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS live, \
                count(*) FILTER (WHERE deleted_at IS NOT NULL) AS trashed \
         FROM deals WHERE pipeline_id = $1 AND ($2::uuid IS NULL OR stage_id = $2) AND workspace_id = $3",
    )
    .bind::<diesel::sql_types::Uuid, _>(pipeline)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>, _>(stage)
    .bind::<diesel::sql_types::Uuid, _>(workspace)
    .get_result(conn)
    .await?;
    Ok((counts.live, counts.trashed))
}
