// Follow-up counts for the navigation badge, refreshed after anything that can change them.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, call } from '../api/client'
import type { FollowUpCounts } from '../api/types'

export const useFollowUpCounts = defineStore('followUpCounts', () => {
  const counts = ref<FollowUpCounts | null>(null)

  async function refresh() {
    try {
      counts.value = (await call(api.GET('/api/v1/follow-ups', { params: { query: { limit: 1 } } }))).counts
    } catch {
      // The badge is a convenience; the pages show their own errors.
    }
  }

  return { counts, refresh }
})
