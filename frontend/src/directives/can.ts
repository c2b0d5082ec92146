// v-can="'member'": shows an element only to roles that include the one named, so controls a
// role cannot use are not offered (the server refuses them anyway).
import type { Directive } from 'vue'
import { watchEffect } from 'vue'
import type { Role } from '../api/types'
import { useSession } from '../stores/session'

const stops = new WeakMap<HTMLElement, () => void>()

export const vCan: Directive<HTMLElement, Role> = {
  mounted(el, binding) {
    const session = useSession()
    stops.set(
      el,
      watchEffect(() => {
        el.hidden = !session.can(binding.value)
      }),
    )
  },
  updated(el, binding) {
    el.hidden = !useSession().can(binding.value)
  },
  unmounted(el) {
    stops.get(el)?.()
    stops.delete(el)
  },
}
