// The workspace's settings: time zone, currency, cadences, stale-deal days, default country.
import { api, call } from '../api/client'
import type { Settings, UpdateSettings } from '../api/types'

export function getSettings(): Promise<Settings> {
  return call(api.GET('/api/v1/settings'))
}

/** Changes the fields given (admins); answers with every setting as it now is. */
export function updateSettings(body: UpdateSettings): Promise<Settings> {
  return call(api.PATCH('/api/v1/settings', { body }))
}
