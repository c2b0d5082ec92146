// Pure display helpers, in the app's language and the reader's time zone.
import { formatLocale, t } from '../i18n'

const DAY = 24 * 60 * 60 * 1000

/** A timestamp, or a day without a time ("2026-12-10", read as that day where the reader is). */
function toDate(value: string | Date): Date {
  if (value instanceof Date) return value
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  return day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : new Date(value)
}

/** Whole calendar days from `now`'s day to the day of `iso` (negative in the past). */
function calendarDays(iso: string, now: Date): number {
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
  return Math.round((startOf(toDate(iso)) - startOf(now)) / DAY)
}

/** A day without its time, e.g. "2 Dec 2026" (in the app's language). */
export function formatDate(iso: string | Date): string {
  return toDate(iso).toLocaleDateString(formatLocale(), { year: 'numeric', month: 'short', day: 'numeric' })
}

/** "today", "tomorrow", "in 3 days", "2 days ago", or a date for anything further away. */
export function relativeDay(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return ''
  const days = calendarDays(iso, now)
  if (Math.abs(days) <= 14) {
    return new Intl.RelativeTimeFormat(formatLocale(), { numeric: 'auto' }).format(days, 'day')
  }
  return formatDate(iso)
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
  if (state === 'overdue') return t('time.overdueBy', { days: daysLate })
  const days = calendarDays(dueAt, now)
  if (days === 0) return t('time.dueToday')
  if (days < 0) return t('time.wasDue', { days: -days })
  if (days <= 14) return t('time.dueIn', { days })
  return t('time.dueOn', { date: formatDate(dueAt) })
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

/** Today where the reader is, as a `date` input value ("2026-12-04"). */
export function today(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
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

const dateTimes = new Map<string, Intl.DateTimeFormat>()

/** A moment in the app's language and the reader's time zone, e.g. "2 Dec 2026, 09:30". */
export function formatDateTime(iso: string): string {
  const locale = formatLocale()
  let format = dateTimes.get(locale)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
    dateTimes.set(locale, format)
  }
  return format.format(new Date(iso))
}

/** 0.42 → "42%" ("42 %" in French); `digits` keeps up to that many decimals (a 20.5 % tax rate). */
export function formatPercent(ratio: number, digits = 0): string {
  return new Intl.NumberFormat(formatLocale(), { style: 'percent', maximumFractionDigits: digits }).format(
    ratio,
  )
}

/** ["Lead", "Prospect"] → "Lead or Prospect" ("Lead o Prospecto", "Lead ou Prospect"). */
export function listFormat(items: string[], type: 'disjunction' | 'conjunction' = 'disjunction'): string {
  return new Intl.ListFormat(formatLocale(), { type }).format(items)
}
