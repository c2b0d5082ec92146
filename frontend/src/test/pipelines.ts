// A pipeline and its stages as the API returns them, for component tests.
import type { Pipeline, Stage } from '../api/types'

export const PIPELINE = '01936000-0000-7000-8000-000000000100'

export const stage = (n: number, name: string, kind: Stage['kind'], probability: number): Stage => ({
  id: `01936000-0000-7000-8000-00000000010${n}`,
  pipeline_id: PIPELINE,
  name,
  kind,
  probability,
  position: n,
})

export const pipeline = (stages: Stage[], version = 1): Pipeline => ({
  id: PIPELINE,
  name: 'Sales',
  position: 0,
  stages,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  version,
})
