// The workspace's pipelines and their stages, shared by the board, deal pages and settings.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, call } from '../api/client'
import type { Pipeline } from '../api/types'

export const usePipelines = defineStore('pipelines', () => {
  const items = ref<Pipeline[]>([])
  const loaded = ref(false)

  async function load(force = false) {
    if (loaded.value && !force) return
    items.value = (await call(api.GET('/api/v1/pipelines'))).items
    loaded.value = true
  }

  /** Replaces one pipeline after a change made elsewhere (settings, stage edits). */
  function put(p: Pipeline) {
    const i = items.value.findIndex((x) => x.id === p.id)
    if (i >= 0) items.value[i] = p
    else items.value.push(p)
  }

  function remove(id: string) {
    items.value = items.value.filter((p) => p.id !== id)
  }

  const byId = computed(() => new Map(items.value.map((p) => [p.id, p])))

  return { items, loaded, load, put, remove, byId }
})
