// Turns a full form value into a PATCH body: only the fields that differ from the record.
import type { Company, Contact, CreateCompany, CreateContact } from '../api/types'

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

export function changedFields(before: Contact, after: CreateContact): Partial<CreateContact>
export function changedFields(before: Company, after: CreateCompany): Partial<CreateCompany>
export function changedFields(before: Contact | Company, after: CreateContact | CreateCompany): object {
  const out: Record<string, unknown> = {}
  const current: Record<string, unknown> =
    'company' in before ? { ...before, company_name: before.company?.name ?? null } : { ...before }
  for (const [key, value] of Object.entries(after)) {
    let old = current[key]
    let next: unknown = value
    if (key === 'custom_fields') {
      // The form sends every field (null for empty); compare only the values that are set.
      const set = Object.entries((value ?? {}) as Record<string, unknown>).filter(([, v]) => v !== null)
      next = Object.fromEntries(set.sort(([a], [b]) => a.localeCompare(b)))
      old = Object.fromEntries(
        Object.entries((old ?? {}) as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
      )
    }
    if (key === 'next_follow_up_at') {
      // Compare instants, not spellings ("…:00Z" vs "…:00.000Z").
      old = old ? new Date(old as string).getTime() : null
      next = value ? new Date(value as string).getTime() : null
    }
    if (!same(old, next)) out[key] = value
  }
  return out
}
