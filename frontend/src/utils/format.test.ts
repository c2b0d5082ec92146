import { describe, expect, it } from 'vitest'
import {
  today,
  formatDate,
  followUpLabel,
  followUpUrgency,
  fromLocalInput,
  humanize,
  initials,
  relativeDay,
  toLocalInput,
} from './format'

const now = new Date(2026, 10, 23, 12, 0, 0)

describe('relativeDay', () => {
  it('names nearby days', () => {
    expect(relativeDay(new Date(2026, 10, 23, 8).toISOString(), now)).toBe('today')
    expect(relativeDay(new Date(2026, 10, 24, 23).toISOString(), now)).toBe('tomorrow')
    expect(relativeDay(new Date(2026, 10, 20).toISOString(), now)).toBe('3 days ago')
    expect(relativeDay(new Date(2026, 10, 30).toISOString(), now)).toBe('in 7 days')
  })
  it('reads a day without a time as that day where the reader is, west of UTC too', () => {
    const zone = process.env.TZ
    process.env.TZ = 'America/Los_Angeles'
    try {
      const evening = new Date(2026, 10, 23, 20, 0, 0)
      expect(relativeDay('2026-11-24', evening)).toBe('tomorrow')
      expect(relativeDay('2026-11-23', evening)).toBe('today')
      expect(formatDate('2026-12-10')).toMatch(/\b10\b/)
      // Late evening west of UTC is still today there, not tomorrow as in UTC.
      expect(today(evening)).toBe('2026-11-23')
    } finally {
      process.env.TZ = zone
    }
  })
  it('falls back to a date and handles empty values', () => {
    expect(relativeDay(new Date(2027, 0, 20).toISOString(), now)).toMatch(/2027/)
    expect(relativeDay(null, now)).toBe('')
  })
})

describe('followUpUrgency', () => {
  it('grades follow-up dates', () => {
    expect(followUpUrgency(new Date(2026, 10, 22).toISOString(), now)).toBe('overdue')
    expect(followUpUrgency(new Date(2026, 10, 23, 18).toISOString(), now)).toBe('today')
    expect(followUpUrgency(new Date(2026, 10, 26).toISOString(), now)).toBe('soon')
    expect(followUpUrgency(new Date(2027, 0, 1).toISOString(), now)).toBe('later')
    expect(followUpUrgency(undefined, now)).toBe('none')
  })
})

describe('small helpers', () => {
  it('humanizes enum values', () => {
    expect(humanize('cold_outreach')).toBe('Cold outreach')
    expect(humanize(null)).toBe('')
  })
  it('makes initials', () => {
    expect(initials('ada', 'lovelace')).toBe('AL')
    expect(initials('Cher', '')).toBe('C')
  })
  it('round-trips datetime-local values', () => {
    const iso = new Date(2026, 10, 23, 9, 30).toISOString()
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso)
    expect(fromLocalInput('')).toBeNull()
  })
})

describe('followUpLabel', () => {
  const at = (d: number, h = 9) => new Date(2026, 10, d, h).toISOString()
  it('says each fact once, and never "due" for a date gone by', () => {
    expect(followUpLabel('overdue', 10, at(13), now)).toBe('Overdue by 10 days')
    expect(followUpLabel('overdue', 1, at(22), now)).toBe('Overdue by 1 day')
    expect(followUpLabel('due', 0, at(21), now)).toBe('Was due 2 days ago')
    expect(followUpLabel('due', 0, at(22), now)).toBe('Was due yesterday')
    expect(followUpLabel('due', 0, at(23, 8), now)).toBe('Due today')
    expect(followUpLabel('upcoming', 0, at(23, 18), now)).toBe('Due today')
    expect(followUpLabel('upcoming', 0, at(24), now)).toBe('Due tomorrow')
    expect(followUpLabel('upcoming', 0, at(26), now)).toBe('Due in 3 days')
  })
})
