// How interactions look: labels and symbols per kind, outcome and sentiment.
import type { Interaction, InteractionKind, Outcome } from '../api/types'

export const KINDS: { value: InteractionKind; label: string; icon: string; key: string }[] = [
  { value: 'call', label: 'Call', icon: '✆', key: 'c' },
  { value: 'email', label: 'Email', icon: '✉', key: 'e' },
  { value: 'meeting', label: 'Meeting', icon: '◉', key: 'm' },
  { value: 'video_call', label: 'Video call', icon: '▶', key: 'v' },
  { value: 'message', label: 'Message', icon: '✎', key: 't' },
  { value: 'social', label: 'Social', icon: '☍', key: 's' },
  { value: 'note', label: 'Note', icon: '✐', key: 'n' },
  { value: 'other', label: 'Other', icon: '•', key: 'o' },
]

export const OUTCOMES: { value: Outcome; label: string }[] = [
  { value: 'positive', label: 'Positive' },
  { value: 'neutral', label: 'Neutral' },
  { value: 'negative', label: 'Negative' },
  { value: 'no_response', label: 'No response' },
]

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
