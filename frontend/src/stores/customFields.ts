// The workspace's custom field definitions, shared by forms, pages and settings.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, call } from '../api/client'
import type { CustomField, FieldEntity } from '../api/types'

export const useCustomFields = defineStore('customFields', () => {
  const fields = ref<CustomField[]>([])
  const loaded = ref(false)

  async function load(force = false) {
    if (loaded.value && !force) return
    fields.value = (await call(api.GET('/api/v1/custom-fields'))).items
    loaded.value = true
  }

  const forEntity = (entity: FieldEntity) => fields.value.filter((f) => f.entity === entity)

  return { fields, loaded, load, forEntity }
})
