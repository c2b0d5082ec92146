// Undoing a merge (from the toast right after it, or from the history entry): the merged record
// comes back with what it had.
import { api, call, toApiError } from '../api/client'
import type { MergeUndo } from '../api/types'
import { useNotices } from '../stores/notices'

export function useMergeUndo() {
  const notices = useNotices()

  async function undo(mergeId: string): Promise<MergeUndo | null> {
    try {
      const done = await call(api.POST('/api/v1/merges/{id}/undo', { params: { path: { id: mergeId } } }))
      const kept = done.kept.length
        ? ` (kept what changed since: ${done.kept.join(', ').replaceAll('_', ' ')})`
        : ''
      notices.push(`Merge undone${kept}`)
      return done
    } catch (e) {
      notices.push(toApiError(e).message, 'error')
      return null
    }
  }

  return { undo }
}
