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

/** ISO 3166-1 codes of the countries with their own phone numbering (what `default_country` accepts). */
export const PHONE_COUNTRIES = (
  'AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM ' +
  'FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE ' +
  'JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN ' +
  'MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PR PS PT ' +
  'PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH TJ TK TL ' +
  'TM TN TO TR TT TV TW TZ UA UG US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'
).split(' ')
