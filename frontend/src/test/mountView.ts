// Mounts a page as the app does: a fresh Pinia, a router at `path`, the `v-can` directive, and a
// signed-in member with `role` (nobody with `signedOut`). The API answers come from ./api.ts.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Component } from 'vue'
import { vCan } from '../directives/can'
import { useSession } from '../stores/session'
import type { Role } from '../api/types'

export async function mountView(
  view: Component,
  options: { path: string; route?: string; role?: Role; signedOut?: boolean },
): Promise<VueWrapper> {
  const { path, route = path.split('?')[0]!, role = 'member', signedOut = false } = options
  const pinia = createPinia()
  setActivePinia(pinia)
  if (!signedOut) {
    useSession().me = {
      user: { id: '01936000-0000-7000-8000-0000000000aa', name: 'Test User', locale: null },
      workspace: { id: '01936000-0000-7000-8000-0000000000bb', name: 'Test', role },
    } as never
  }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: route, component: view },
      { path: '/:rest(.*)', component: { template: '<p />' } },
    ],
  })
  await router.push(path)
  const wrapper = mount(view, {
    attachTo: document.body,
    global: { plugins: [pinia, router], directives: { can: vCan } },
  })
  await flushPromises()
  return wrapper
}
