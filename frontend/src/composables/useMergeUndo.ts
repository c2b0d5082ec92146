// Undoing a merge (from the toast right after it, or from the history entry): the merged record
// comes back with what it had.
import { toApiError } from '../api/client'
import type { MergeUndo } from '../api/types'
import { t } from '../i18n'
import { useNotices } from '../stores/notices'
import { undoMerge } from './useDuplicates'

export function useMergeUndo() {
  const notices = useNotices()

  async function undo(mergeId: string): Promise<MergeUndo | null> {
    try {
      const done = await undoMerge(mergeId)
      notices.push(
        done.kept.length
          ? t('merge.undoneKept', { fields: done.kept.map((f) => f.replaceAll('_', ' ')).join(', ') })
          : t('merge.undone'),
      )
      return done
    } catch (e) {
      notices.push(toApiError(e).message, 'error')
      return null
    }
  }

  return { undo }
}
