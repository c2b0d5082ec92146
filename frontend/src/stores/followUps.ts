// Follow-up counts for the navigation badge, refreshed after anything that can change them, and
// whether the queue shows everyone's follow-ups or only the user's own (remembered).
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { api, call } from '../api/client'
import type { FollowUpCounts } from '../api/types'

const KEY = 'rapport.followUps.mine'

export const useFollowUpCounts = defineStore('followUpCounts', () => {
  const counts = ref<FollowUpCounts | null>(null)
  /** Only the contacts the user owns. */
  const mine = ref(localStorage.getItem(KEY) === 'true')
  watch(mine, (v) => {
    localStorage.setItem(KEY, String(v))
    void refresh()
  })

  async function refresh() {
    try {
      const query = { limit: 1, owner: mine.value ? 'me' : undefined }
      counts.value = (await call(api.GET('/api/v1/follow-ups', { params: { query } }))).counts
    } catch {
      // The badge is a convenience; the pages show their own errors.
    }
  }

  return { counts, mine, refresh }
})
