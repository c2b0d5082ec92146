import { hasMessage, t } from '../i18n'

/** Why two records look alike, in the reader's language (the API's reasons are stable English). */
export function duplicateReason(reason: string): string {
  const key = `duplicates.reasons.${reason.toLowerCase().replaceAll(' ', '_')}`
  return hasMessage(key) ? t(key) : reason
}
