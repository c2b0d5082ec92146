// The colour theme: the system's (default), light or dark — chosen in the navigation and
// remembered on this device. Applied as `data-theme` on <html>, which the stylesheet's
// variables follow; `effective` is what is shown, for what CSS cannot reach (chart canvases).
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

export type ThemeChoice = 'system' | 'light' | 'dark'
const KEY = 'rapport.theme'

function stored(): ThemeChoice {
  const v = localStorage.getItem(KEY)
  return v === 'light' || v === 'dark' ? v : 'system'
}

export const useTheme = defineStore('theme', () => {
  const choice = ref<ThemeChoice>(stored())
  const media = window.matchMedia?.('(prefers-color-scheme: dark)')
  const systemDark = ref(media?.matches ?? false)
  media?.addEventListener('change', (e) => (systemDark.value = e.matches))
  const effective = computed<'light' | 'dark'>(() =>
    choice.value === 'system' ? (systemDark.value ? 'dark' : 'light') : choice.value,
  )
  watch(
    effective,
    (t) => {
      document.documentElement.dataset.theme = t
    },
    { immediate: true },
  )
  function choose(next: ThemeChoice) {
    choice.value = next
    if (next === 'system') localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, next)
  }
  /** System → the opposite of what the system shows → back to the system's. */
  function toggle() {
    if (choice.value === 'system') choose(effective.value === 'dark' ? 'light' : 'dark')
    else choose('system')
  }
  return { choice, effective, choose, toggle }
})

/** A colour of the current theme, as the stylesheet defines it (for canvases). */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim()
}
