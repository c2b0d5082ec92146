// Calls `more` whenever the element with `ref="<key>"` (default "sentinel") scrolls into view.
import { onBeforeUnmount, onMounted, useTemplateRef } from 'vue'

export function useInfiniteScroll(more: () => unknown, key = 'sentinel') {
  const sentinel = useTemplateRef<HTMLElement>(key)
  let observer: IntersectionObserver | undefined
  onMounted(() => {
    if (typeof IntersectionObserver === 'undefined' || !sentinel.value) return
    observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) more()
    })
    observer.observe(sentinel.value)
  })
  onBeforeUnmount(() => observer?.disconnect())
}
