// Short-lived messages shown in the corner ("Contact saved"), shared across pages.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface NoticeAction {
  label: string
  run: () => void | Promise<void>
}

export interface Notice {
  id: number
  text: string
  kind: 'success' | 'error'
  /** A button in the message ("Undo"); such a message stays longer. */
  action?: NoticeAction
}

export const useNotices = defineStore('notices', () => {
  const items = ref<Notice[]>([])
  let next = 1

  function push(text: string, kind: Notice['kind'] = 'success', action?: NoticeAction) {
    const id = next++
    items.value.push({ id, text, kind, action })
    setTimeout(() => dismiss(id), action ? 12000 : 4000)
  }

  function dismiss(id: number) {
    items.value = items.value.filter((n) => n.id !== id)
  }

  return { items, push, dismiss }
})
