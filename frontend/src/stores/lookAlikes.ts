// What a record just created looks like (the create answer's `possible_duplicates`), handed from
// the form to the new record's page, which shows it once.
import { defineStore } from 'pinia'
import type { PossibleDuplicate } from '../api/types'

export const useLookAlikes = defineStore('lookAlikes', () => {
  const byId = new Map<string, PossibleDuplicate[]>()

  function remember(id: string, items: PossibleDuplicate[] | undefined) {
    if (items?.length) byId.set(id, items)
  }

  function take(id: string): PossibleDuplicate[] {
    const items = byId.get(id) ?? []
    byId.delete(id)
    return items
  }

  return { remember, take }
})
