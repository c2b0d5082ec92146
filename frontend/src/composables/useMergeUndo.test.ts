import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useMergeUndo } from './useMergeUndo'
import { onApi, refuse, sent } from '../test/api'
import { useNotices } from '../stores/notices'
import { setLocale } from '../i18n'
import type { MergeUndo } from '../api/types'

const MERGE = '01936000-0000-7000-8000-000000000b01'
const undone = (kept: string[]): MergeUndo => ({
  merge_id: MERGE,
  type: 'contact',
  survivor_id: '01936000-0000-7000-8000-000000000b02',
  restored_id: '01936000-0000-7000-8000-000000000b03',
  moved_back: 2,
  kept,
  undone_at: '2026-12-05T10:00:00Z',
})

beforeEach(async () => {
  setActivePinia(createPinia())
  await setLocale('en', false)
})

describe('useMergeUndo', () => {
  it('says in the chosen language what was undone and what was kept', async () => {
    onApi('post', '/api/v1/merges/{id}/undo', undone(['job_title']))
    const { undo } = useMergeUndo()
    expect(await undo(MERGE)).not.toBeNull()
    expect(sent[0]?.path).toBe(`/api/v1/merges/${MERGE}/undo`)
    expect(useNotices().items.at(-1)?.text).toBe('Merge undone (kept what changed since: job title)')

    await setLocale('fr', false)
    onApi('post', '/api/v1/merges/{id}/undo', undone([]))
    await undo(MERGE)
    expect(useNotices().items.at(-1)?.text).toBe('Fusion annulée')
  })

  it('shows a refusal as an error and answers nothing', async () => {
    refuse('post', '/api/v1/merges/{id}/undo', 409, {
      code: 'already_undone',
      detail: 'the merge was undone already',
    })
    const { undo } = useMergeUndo()
    expect(await undo(MERGE)).toBeNull()
    expect(useNotices().items.at(-1)).toMatchObject({ kind: 'error', text: 'the merge was undone already' })
  })
})
