// Pipelines and their stages (the list itself is kept by the pipelines store): a board, renaming,
// stages added, changed, reordered and deleted (moving their deals first), pipelines added and
// deleted. Each change answers with the pipeline as it now is.
import { api, call } from '../api/client'
import type { Board, NewStage, Pipeline, UpdateStage } from '../api/types'

const path = (id: string) => ({ params: { path: { id } } })

/** A pipeline's board: its stages with their deals. */
export function pipelineBoard(id: string): Promise<Board> {
  return call(api.GET('/api/v1/pipelines/{id}/board', path(id)))
}

export function createPipeline(name: string): Promise<Pipeline> {
  return call(api.POST('/api/v1/pipelines', { body: { name } }))
}

/** Renames a pipeline, unless it changed since it was read. */
export function renamePipeline(p: Pipeline, name: string): Promise<Pipeline> {
  return call(api.PATCH('/api/v1/pipelines/{id}', { ...path(p.id), body: { name, version: p.version } }))
}

export async function deletePipeline(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/pipelines/{id}', path(id)))
}

export function addStage(pipelineId: string, body: NewStage): Promise<Pipeline> {
  return call(api.POST('/api/v1/pipelines/{id}/stages', { ...path(pipelineId), body }))
}

export function updateStage(pipelineId: string, stageId: string, body: UpdateStage): Promise<Pipeline> {
  return call(
    api.PATCH('/api/v1/pipelines/{id}/stages/{stage_id}', {
      params: { path: { id: pipelineId, stage_id: stageId } },
      body,
    }),
  )
}

/** Puts a pipeline's stages in this order (every stage id, once). */
export function reorderStages(pipelineId: string, stageIds: string[]): Promise<Pipeline> {
  return call(
    api.PUT('/api/v1/pipelines/{id}/stages/order', { ...path(pipelineId), body: { stage_ids: stageIds } }),
  )
}

/**
 * Deletes a stage. A stage that still holds deals is refused (`stage_has_deals`) unless
 * `moveTo` names the stage they go to first.
 */
export function deleteStage(pipelineId: string, stageId: string, moveTo?: string): Promise<Pipeline> {
  return call(
    api.DELETE('/api/v1/pipelines/{id}/stages/{stage_id}', {
      params: { path: { id: pipelineId, stage_id: stageId }, query: { move_to: moveTo } },
    }),
  )
}
