// Reminders and the follow-up queue: a contact's reminders, adding one, done and snooze; the
// queue of who needs a touchpoint, a touchpoint logged from it and a contact's next date moved.
import { api, call } from '../api/client'
import type {
  CreateReminder,
  FollowUpPage,
  ListFollowUpsQuery,
  ListRemindersQuery,
  Reminder,
  ReminderPage,
} from '../api/types'

export function listReminders(query: ListRemindersQuery): Promise<ReminderPage> {
  return call(api.GET('/api/v1/reminders', { params: { query } }))
}

export function createReminder(body: CreateReminder): Promise<Reminder> {
  return call(api.POST('/api/v1/reminders', { body }))
}

export async function completeReminder(id: string): Promise<void> {
  await call(api.POST('/api/v1/reminders/{id}/complete', { params: { path: { id } } }))
}

/** Moves a reminder to `until` (an ISO date-time in the future). */
export async function snoozeReminder(id: string, until: string): Promise<void> {
  await call(api.POST('/api/v1/reminders/{id}/snooze', { params: { path: { id } }, body: { until } }))
}

export function listFollowUps(query: ListFollowUpsQuery): Promise<FollowUpPage> {
  return call(api.GET('/api/v1/follow-ups', { params: { query } }))
}

/** Moves a contact's next follow-up to `until`, unless the contact changed since it was read. */
export async function postponeFollowUp(
  contact: { id: string; version: number },
  until: string,
): Promise<void> {
  await call(
    api.PATCH('/api/v1/contacts/{id}', {
      params: { path: { id: contact.id } },
      body: { next_follow_up_at: until, version: contact.version },
    }),
  )
}
