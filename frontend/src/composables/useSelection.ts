// Rows ticked in a list for a bulk change: checkboxes, shift-click for a range, all loaded rows,
// or "all N matching" (every row the filters match, loaded or not).
import { computed, ref, type Ref } from 'vue'

export function useSelection(items: Ref<{ id: string }[]>, total: Ref<number | null>) {
  const selected = ref<Set<string>>(new Set())
  const allMatching = ref(false)
  let anchor = -1

  function toggle(index: number, event: MouseEvent) {
    const id = items.value[index]?.id
    if (!id) return
    const next = new Set(selected.value)
    const on = !next.has(id)
    if (event.shiftKey && anchor >= 0) {
      const [from, to] = anchor < index ? [anchor, index] : [index, anchor]
      for (const row of items.value.slice(from, to + 1)) {
        if (on) next.add(row.id)
        else next.delete(row.id)
      }
    } else if (on) next.add(id)
    else next.delete(id)
    anchor = index
    selected.value = next
    allMatching.value = false
  }

  const allLoadedSelected = computed(
    () => items.value.length > 0 && items.value.every((row) => selected.value.has(row.id)),
  )
  function toggleAll() {
    selected.value = allLoadedSelected.value ? new Set() : new Set(items.value.map((row) => row.id))
    allMatching.value = false
  }
  function clear() {
    selected.value = new Set()
    allMatching.value = false
    anchor = -1
  }
  const count = computed(() => (allMatching.value ? (total.value ?? 0) : selected.value.size))
  const isSelected = (id: string) => allMatching.value || selected.value.has(id)
  /** Every loaded row is ticked and the filters match more: "select all N matching" is worth offering. */
  const offerAllMatching = computed(
    () =>
      allLoadedSelected.value &&
      !allMatching.value &&
      total.value !== null &&
      total.value > items.value.length,
  )

  return {
    selected,
    allMatching,
    toggle,
    allLoadedSelected,
    toggleAll,
    clear,
    count,
    isSelected,
    offerAllMatching,
  }
}
