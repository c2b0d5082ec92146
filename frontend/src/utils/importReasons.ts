// Why an import's record is skipped, in error or updated, in the reader's language: the
// server's English words in English (they can name the value), otherwise the translation of the
// reason's code, or of an error's code as a problem's field errors are translated.
import { fieldMessage } from '../api/client'
import type { ImportRowPlan } from '../api/types'
import { currentLocale, i18n, t } from '../i18n'

const REASON_KEYS = Object.keys(
  (i18n.global.getLocaleMessage('en') as { imports?: { reasons?: object } }).imports?.reasons ?? {},
)

type Row = Pick<ImportRowPlan, 'reason' | 'reason_code' | 'reason_params' | 'column' | 'outcome'>

export function rowReason(r: Row): string {
  const english = r.reason ?? ''
  const code = r.reason_code
  if (currentLocale() === 'en' || !code) return english
  const params: Record<string, unknown> = { ...(r.reason_params ?? {}) }
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) params[k] = new Intl.ListFormat(currentLocale()).format(v.map(String))
  }
  if (REASON_KEYS.includes(code)) {
    return t(`imports.reasons.${code}` as 'imports.reasons.unchanged', params as Record<string, string>)
  }
  if (r.outcome === 'error') {
    return fieldMessage({ field: r.column ?? '', code, message: english, params: r.reason_params ?? {} })
  }
  return english
}
