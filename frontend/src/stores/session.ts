// The signed-in user, their workspaces and their role in the current one. Loaded once when the
// app starts; every view reads its role from here to hide what it may not do.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { api, call, ApiError } from '../api/client'
import type { Me, Role } from '../api/types'
import { allows } from '../utils/roles'
import { browserLocale, setLocale, type Locale } from '../i18n'

export const useSession = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const loaded = ref(false)

  const role = computed<Role | null>(() => me.value?.workspace?.role ?? null)
  const workspace = computed(() => me.value?.workspace ?? null)

  // The user's chosen language follows them to every device; `null` keeps this device's.
  watch(
    () => me.value?.user.locale ?? null,
    (locale) => {
      if (locale) void setLocale(locale)
    },
  )

  /** Changes the web app's language for this user (`null`: follow the browser). */
  async function chooseLocale(locale: Locale | null) {
    const next = await call(api.PATCH('/api/v1/me', { body: { locale } }))
    // The messages are loaded before the page says anything in the new language.
    await setLocale(locale ?? browserLocale(), locale !== null)
    me.value = next
  }

  /** True when the current role includes `needed`. */
  function can(needed: Role): boolean {
    return allows(role.value, needed)
  }

  /** Loads who is signed in; false when nobody is (or the session ended). */
  async function load(): Promise<boolean> {
    try {
      me.value = await call(api.GET('/api/v1/me'))
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e
      me.value = null
    }
    loaded.value = true
    return me.value !== null
  }

  async function login(email: string, password: string) {
    me.value = await call(api.POST('/api/v1/auth/login', { body: { email, password } }))
    loaded.value = true
  }

  async function logout() {
    try {
      await call(api.POST('/api/v1/auth/logout'))
    } finally {
      me.value = null
    }
  }

  async function switchWorkspace(id: string) {
    me.value = await call(api.POST('/api/v1/me/workspace', { body: { workspace_id: id } }))
  }

  function signedIn(next: Me) {
    me.value = next
    loaded.value = true
  }

  /** The session ended elsewhere (signed out, expired, removed): forget it. */
  function forget() {
    me.value = null
  }

  return {
    me,
    loaded,
    role,
    workspace,
    can,
    load,
    login,
    logout,
    switchWorkspace,
    signedIn,
    forget,
    chooseLocale,
  }
})
