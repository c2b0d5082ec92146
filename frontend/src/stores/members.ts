// The current workspace's members, loaded once, for owner pickers and names.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, call } from '../api/client'
import type { Member } from '../api/types'

export const useMembers = defineStore('members', () => {
  const items = ref<Member[]>([])
  let loading: Promise<void> | null = null

  function load(): Promise<void> {
    loading ??= call(api.GET('/api/v1/members'))
      .then((page) => {
        items.value = page.items
      })
      .catch(() => {
        loading = null
      })
    return loading
  }

  /** A member's name; before the list has loaded, nothing rather than a wrong guess. */
  function nameOf(id: string | null | undefined): string | null {
    if (!id || items.value.length === 0) return null
    return items.value.find((m) => m.user_id === id)?.display_name ?? 'A former member'
  }

  return { items, load, nameOf }
})
