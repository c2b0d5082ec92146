// What each role may do, as the server enforces it (see the API docs' "Access" lines).
import type { Role } from '../api/types'
import { t } from '../i18n'

const RANK: Record<Role, number> = { read_only: 0, member: 1, admin: 2, owner: 3 }

/** True when `role` includes everything `needed` may do. */
export function allows(role: Role | null | undefined, needed: Role): boolean {
  return role != null && RANK[role] >= RANK[needed]
}

/** "Owner", "Admin", "Member", "Read-only" in the app's language. */
export function roleLabel(role: Role): string {
  return t(`roles.${role}`)
}

/** What a role may do, in a sentence. */
export function roleHelp(role: Role): string {
  return t(`roles.${role}_help`)
}
