// Pure display helpers.

const DAY = 24 * 60 * 60 * 1000

/** "today", "tomorrow", "in 3 days", "2 days ago", or a date for anything further away. */
export function relativeDay(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return ''
  const date = new Date(iso)
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
  const days = Math.round((startOf(date) - startOf(now)) / DAY)
  if (days === 0) return 'today'
  if (days === 1) return 'tomorrow'
  if (days === -1) return 'yesterday'
  if (days > 1 && days <= 14) return `in ${days} days`
  if (days < -1 && days >= -14) return `${-days} days ago`
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
}

/**
 * A follow-up's state in words, saying each fact once: "Overdue by 10 days", "Was due yesterday",
 * "Due today", "Due in 3 days".
 */
export function followUpLabel(
  state: 'overdue' | 'due' | 'upcoming',
  daysLate: number,
  dueAt: string,
  now: Date = new Date(),
): string {
  if (state === 'overdue') return `Overdue by ${daysLate} ${daysLate === 1 ? 'day' : 'days'}`
  const when = relativeDay(dueAt, now)
  if (when === 'today') return 'Due today'
  if (state === 'due' && new Date(dueAt).getTime() < now.getTime()) return `Was due ${when}`
  return /^\d|^[A-Z]/.test(when) ? `Due on ${when}` : `Due ${when}`
}

export type Urgency = 'overdue' | 'today' | 'soon' | 'later' | 'none'

/** How pressing a follow-up date is, for colouring it. */
export function followUpUrgency(iso: string | null | undefined, now: Date = new Date()): Urgency {
  if (!iso) return 'none'
  const t = new Date(iso).getTime()
  const endOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime()
  const startOfToday = endOfToday - DAY
  if (t < startOfToday) return 'overdue'
  if (t < endOfToday) return 'today'
  if (t < endOfToday + 7 * DAY) return 'soon'
  return 'later'
}

/** "cold_outreach" → "Cold outreach". */
export function humanize(value: string | null | undefined): string {
  if (!value) return ''
  const words = value.replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export function initials(first: string, last: string): string {
  return ((first.charAt(0) ?? '') + (last.charAt(0) ?? '')).toUpperCase() || '?'
}

/** A `datetime-local` input value (local time) from an RFC 3339 timestamp, and back. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A moment in the reader's locale and time zone, e.g. "2 Dec 2026, 09:30". */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso))
}
