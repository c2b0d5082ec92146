// Custom field values between forms and the API.
import type { CustomField } from '../api/types'

/** Form values → API values: empties become null (which removes them), numbers become numbers. */
export function toApiValues(fields: CustomField[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const v = values[f.key]
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) out[f.key] = null
    else if (f.field_type === 'number') out[f.key] = Number(v)
    else out[f.key] = v
  }
  return out
}

/** A value as people read it. */
export function display(field: CustomField, value: unknown): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.join(', ')
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (field.field_type === 'date' && typeof value === 'string')
    return new Date(`${value}T00:00:00`).toLocaleDateString()
  return String(value)
}

/** A key from a label: "Budget (EUR)" → "budget_eur". */
export function keyFrom(label: string): string {
  const key = label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
  return key.slice(0, 40) || 'field'
}
