// What each role may do, as the server enforces it (see the API docs' "Access" lines).
import type { Role } from '../api/types'

const RANK: Record<Role, number> = { read_only: 0, member: 1, admin: 2, owner: 3 }

/** True when `role` includes everything `needed` may do. */
export function allows(role: Role | null | undefined, needed: Role): boolean {
  return role != null && RANK[role] >= RANK[needed]
}

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
  read_only: 'Read-only',
}

export const ROLE_HELP: Record<Role, string> = {
  owner: 'Everything, including ownership and deleting the workspace',
  admin: 'Members, settings, pipelines, custom fields, templates, AI cache',
  member: 'Create, edit and delete contacts, deals and everything in them',
  read_only: 'Sees everything, changes nothing',
}
