// The workspace as a whole: the dashboard's figures and the person's arrangement of it, the
// first-run checklist and the demo data, the calendar feed, and full exports of the workspace.
import { api, call } from '../api/client'
import type {
  CalendarFeed,
  Dashboard,
  DashboardLayout,
  DashboardQuery,
  Export,
  Onboarding,
  PutDashboardLayout,
} from '../api/types'

export function dashboard(query: DashboardQuery): Promise<Dashboard> {
  return call(api.GET('/api/v1/dashboard', { params: { query } }))
}

export function dashboardLayout(): Promise<DashboardLayout> {
  return call(api.GET('/api/v1/me/dashboard-layout'))
}

export function saveDashboardLayout(body: PutDashboardLayout): Promise<DashboardLayout> {
  return call(api.PUT('/api/v1/me/dashboard-layout', { body }))
}

export function onboarding(): Promise<Onboarding> {
  return call(api.GET('/api/v1/onboarding'))
}

/** Hides (or shows again) the first-run checklist. */
export function dismissOnboarding(dismissed: boolean): Promise<Onboarding> {
  return call(api.POST('/api/v1/onboarding/dismiss', { body: { dismissed } }))
}

/** Loads the demo records into a new workspace, or removes them; answers with how many. */
export function demoData(load: boolean) {
  return load ? call(api.POST('/api/v1/demo-data')) : call(api.DELETE('/api/v1/demo-data'))
}

export function calendarFeed(): Promise<CalendarFeed> {
  return call(api.GET('/api/v1/calendar'))
}

/** Makes a new private feed address (the old one stops working); answers with its URL. */
export async function newCalendarLink(): Promise<string> {
  return (await call(api.POST('/api/v1/calendar/link'))).url
}

export async function turnOffCalendarFeed(): Promise<void> {
  await call(api.DELETE('/api/v1/calendar/link'))
}

export async function listExports(): Promise<Export[]> {
  return (await call(api.GET('/api/v1/exports'))).items
}

/** Starts a full export of the workspace (a background job). */
export async function startExport(): Promise<void> {
  await call(api.POST('/api/v1/exports'))
}
