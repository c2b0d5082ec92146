// Choices for select inputs. The types come from the API schema; `allOf` fails to compile when
// the API gains a value that a list here lacks.
import type { ContactSource, Lifecycle, RelationshipType } from '../api/types'

type Exhaustive<T extends string, L extends readonly T[]> = [T] extends [L[number]] ? L : never

function allOf<T extends string>() {
  return <const L extends readonly T[]>(list: Exhaustive<T, L>) => list
}

export const LIFECYCLES = allOf<Lifecycle>()(['lead', 'prospect', 'client', 'inactive'])

export const SOURCES = allOf<ContactSource>()([
  'referral',
  'website',
  'linkedin',
  'event',
  'cold_outreach',
  'social_media',
  'partner',
  'advertising',
  'inbound_email',
  'other',
])

export const RELATIONSHIPS = allOf<RelationshipType>()([
  'client',
  'prospect',
  'colleague',
  'friend',
  'family',
  'mentor',
  'recruiter',
  'investor',
  'partner',
  'vendor',
  'other',
])

export const SORTS = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'name', label: 'Name A–Z' },
  { value: '-name', label: 'Name Z–A' },
  { value: 'next_follow_up_at', label: 'Next follow-up' },
  { value: '-updated_at', label: 'Recently updated' },
  { value: 'last_interaction_at', label: 'Longest without contact' },
] as const

/** Splits "a, b\nc" into ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n;]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

export const SCENARIOS = allOf<import('../api/types').Scenario>()([
  'follow_up',
  'intro',
  'meeting_request',
  'proposal',
  'thank_you',
  're_engage',
  'check_in',
  'other',
])
