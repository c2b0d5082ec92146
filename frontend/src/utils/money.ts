// Money in the API is integer minor units plus an ISO 4217 code; these helpers turn it into
// text for people and back.
import { formatLocale } from '../i18n'

/** Digits after the decimal point of a currency (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    )
  } catch {
    return 2
  }
}

/** 1234567 EUR → "€12,345.67" (in the reader's locale). `compact` drops the minor units. */
export function formatMoney(
  minor: number | null | undefined,
  currency: string,
  options: { compact?: boolean; locale?: string } = {},
): string {
  if (minor === null || minor === undefined) return ''
  const digits = minorDigits(currency)
  const major = minor / 10 ** digits
  try {
    return new Intl.NumberFormat(options.locale ?? formatLocale(), {
      style: 'currency',
      currency,
      maximumFractionDigits: options.compact ? 0 : digits,
      minimumFractionDigits: options.compact ? 0 : digits,
    }).format(major)
  } catch {
    return `${major.toFixed(digits)} ${currency}`
  }
}

/** A typed amount ("1,200.50", "1200,5", "1 200") → minor units, or null when it is not a number. */
export function parseMoney(text: string, currency: string): number | null {
  const cleaned = text.trim().replace(/[\s\u00a0']/g, '')
  if (!cleaned) return null
  // The last "." or "," is the decimal separator when it appears once and has no more digits
  // after it than the currency has minor units ("1,200" is twelve hundred euros).
  const lastSep = Math.max(cleaned.lastIndexOf('.'), cleaned.lastIndexOf(','))
  let normalized = cleaned
  if (lastSep >= 0) {
    const decimals = cleaned.length - lastSep - 1
    const intPart = cleaned.slice(0, lastSep).replace(/[.,]/g, '')
    const fracPart = cleaned.slice(lastSep + 1)
    const repeats = cleaned.split(cleaned.charAt(lastSep)).length > 2
    const isDecimal = !repeats && decimals <= minorDigits(currency)
    normalized = isDecimal ? `${intPart}.${fracPart}` : intPart + fracPart
  }
  if (!/^-?\d+(\.\d*)?$/.test(normalized)) return null
  return Math.round(Number(normalized) * 10 ** minorDigits(currency))
}

/** Minor units → the plain number a form input shows ("1200.50"). */
export function toAmountInput(minor: number | null | undefined, currency: string): string {
  if (minor === null || minor === undefined) return ''
  const digits = minorDigits(currency)
  return (minor / 10 ** digits).toFixed(digits)
}

/** Commonly used currencies first; the server accepts any ISO 4217 code. */
export const COMMON_CURRENCIES = [
  'EUR',
  'USD',
  'GBP',
  'CHF',
  'CAD',
  'AUD',
  'JPY',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'INR',
]
