import { describe, expect, it } from 'vitest'
import { followUpUrgency, fromLocalInput, humanize, initials, relativeDay, toLocalInput } from './format'

const now = new Date(2026, 10, 23, 12, 0, 0)

describe('relativeDay', () => {
  it('names nearby days', () => {
    expect(relativeDay(new Date(2026, 10, 23, 8).toISOString(), now)).toBe('today')
    expect(relativeDay(new Date(2026, 10, 24, 23).toISOString(), now)).toBe('tomorrow')
    expect(relativeDay(new Date(2026, 10, 20).toISOString(), now)).toBe('3 days ago')
    expect(relativeDay(new Date(2026, 10, 30).toISOString(), now)).toBe('in 7 days')
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
