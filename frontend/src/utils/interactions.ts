// How interactions look: labels and symbols per kind, outcome and sentiment.
import type { Interaction, InteractionKind, Outcome } from '../api/types'
import { t } from '../i18n'

type Kind = { value: InteractionKind; readonly label: string; icon: string; key: string }

/** A kind of interaction; its `label` is in the app's language whenever it is read. */
function kind(value: InteractionKind, icon: string, key: string): Kind {
  return {
    value,
    icon,
    key,
    get label() {
      return t(`enums.kind.${value}`)
    },
  }
}

export const KINDS: Kind[] = [
  kind('call', '✆', 'c'),
  kind('email', '✉', 'e'),
  kind('meeting', '◉', 'm'),
  kind('video_call', '▶', 'v'),
  kind('message', '✎', 't'),
  kind('social', '☍', 's'),
  kind('note', '✐', 'n'),
  kind('other', '•', 'o'),
]

export const OUTCOMES: { value: Outcome; readonly label: string }[] = (
  ['positive', 'neutral', 'negative', 'no_response'] as const
).map((value) => ({
  value,
  get label() {
    return t(`enums.outcome.${value}`)
  },
}))

export function kindOf(value: InteractionKind) {
  return KINDS.find((k) => k.value === value) ?? { value, label: value, icon: '•', key: '' }
}

/** 😊 😐 😞 for the sentiment, empty when none was recorded. */
export function sentimentEmoji(i: Pick<Interaction, 'sentiment'>): string {
  switch (i.sentiment?.label) {
    case 'positive':
      return '😊'
    case 'neutral':
      return '😐'
    case 'negative':
      return '😞'
    default:
      return ''
  }
}
