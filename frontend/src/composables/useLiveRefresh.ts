// Refreshes what a page shows when someone changes it: `matches` picks the changes that concern
// the page, and `refresh` runs once per burst of them (a bulk change is hundreds of events).
import { onBeforeUnmount } from 'vue'
import type { LiveEvent } from '../api/types'
import { useLive } from '../stores/live'

export function useLiveRefresh(matches: (e: LiveEvent) => boolean, refresh: () => unknown, delay = 300) {
  const live = useLive()
  let timer: ReturnType<typeof setTimeout> | undefined
  const stop = live.on((e) => {
    if (e !== null && !matches(e)) return
    clearTimeout(timer)
    timer = setTimeout(() => void refresh(), delay)
  })
  onBeforeUnmount(() => {
    clearTimeout(timer)
    stop()
  })
}
