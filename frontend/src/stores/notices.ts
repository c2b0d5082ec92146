// Short-lived messages shown in the corner ("Contact saved"), shared across pages.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface Notice {
  id: number
  text: string
  kind: 'success' | 'error'
}

export const useNotices = defineStore('notices', () => {
  const items = ref<Notice[]>([])
  let next = 1

  function push(text: string, kind: Notice['kind'] = 'success') {
    const id = next++
    items.value.push({ id, text, kind })
    setTimeout(() => dismiss(id), 4000)
  }

  function dismiss(id: number) {
    items.value = items.value.filter((n) => n.id !== id)
  }

  return { items, push, dismiss }
})
