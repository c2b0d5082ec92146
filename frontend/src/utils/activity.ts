// A history entry in the reader's language: its message code and parameters, worded by the
// `history` messages; entries written before entries had codes keep the server's English summary.
import { hasMessage, t } from '../i18n'
import type { ActivityMessage, Lifecycle } from '../api/types'
import { formatMoney } from './money'
import { listFormat } from './format'
import { lifecycleLabel, LIFECYCLES } from './options'

type Entry = { summary: string; message?: ActivityMessage | null }

const RECORD_KINDS = ['contact', 'company', 'deal'] as const
const PROPOSAL_STATUSES = ['draft', 'sent', 'accepted', 'declined'] as const

/** A field name in words: "job title", "etiquetas". */
export function fieldWord(field: string): string {
  const key = `history.fields.${field}`
  return hasMessage(key) ? t(key) : field.replaceAll('_', ' ')
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').filter((s) => s !== '')
}

/** The parameters as the messages use them: lists, amounts, counts and codes in words. */
function values(code: string, params: Record<string, string>): Record<string, unknown> {
  const v: Record<string, unknown> = { ...params }
  if ('fields' in params) v.fields = listFormat(list(params.fields).map(fieldWord), 'conjunction')
  if ('amount_minor' in params && 'currency' in params) {
    v.amount = formatMoney(Number(params.amount_minor), params.currency ?? '')
  }
  if ('tags' in params) {
    const tags = list(params.tags)
    v.tags = listFormat(tags, 'conjunction')
    v.count = tags.length
  }
  if (code.startsWith('bulk_') || 'change_code' in params) {
    const kind = (RECORD_KINDS as readonly string[]).includes(params.kind ?? '') ? params.kind : 'contact'
    v.records = t(`history.records.${kind}`, { n: Number(params.n ?? 0) })
  }
  if ((LIFECYCLES as readonly string[]).includes(params.lifecycle ?? '')) {
    v.lifecycle = lifecycleLabel(params.lifecycle as Lifecycle)
  }
  if (code === 'proposal_marked' && (PROPOSAL_STATUSES as readonly string[]).includes(params.status ?? '')) {
    v.status = t(`proposals.status.${params.status}`)
  }
  return v
}

/** The entry's sentence in the reader's language. */
export function activityText(entry: Entry): string {
  const m = entry.message
  if (!m || !hasMessage(`history.${m.code}`)) return entry.summary
  const v = values(m.code, m.params)
  // An undo names the change it undid, itself worded.
  const inner = m.params.change_code
  if (m.code === 'bulk_undone' && inner && hasMessage(`history.${inner}`)) {
    v.change = t(`history.${inner}`, values(inner, m.params))
  }
  return t(`history.${m.code}`, v)
}
