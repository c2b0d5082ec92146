// Choices for select inputs. The types come from the API schema; `allOf` fails to compile when
// the API gains a value that a list here lacks.
import type { ContactSource, Lifecycle, RelationshipType, Scenario } from '../api/types'
import { t } from '../i18n'

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

/** The contact list's sort orders; each label is `sorts.<value>` in the messages. */
export const SORTS = [
  { value: '-created_at', label: 'sorts.newest' },
  { value: 'name', label: 'sorts.nameAsc' },
  { value: '-name', label: 'sorts.nameDesc' },
  { value: 'next_follow_up_at', label: 'sorts.nextFollowUp' },
  { value: '-updated_at', label: 'sorts.recentlyUpdated' },
  { value: 'last_interaction_at', label: 'sorts.longestWithout' },
] as const

/** A lifecycle stage in the app's language ("Prospect", "Prospecto"). */
export const lifecycleLabel = (value: Lifecycle) => t(`enums.lifecycle.${value}`)
/** Where a contact came from, in the app's language. */
export const sourceLabel = (value: ContactSource) => t(`enums.source.${value}`)
/** The kind of relationship, in the app's language. */
export const relationshipLabel = (value: RelationshipType) => t(`enums.relationship.${value}`)
/** A template's scenario, in the app's language. */
export const scenarioLabel = (value: Scenario) => t(`enums.scenario.${value}`)

/** Splits "a, b\nc" into ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n;]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

export const SCENARIOS = allOf<Scenario>()([
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
