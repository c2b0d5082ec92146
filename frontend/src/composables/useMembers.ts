// A workspace's people (admins' page): members, their roles, invitations, password-reset links
// and the security events.
import { api, call } from '../api/client'
import type { Invitation, Member, Role } from '../api/types'

export async function listMembers(): Promise<Member[]> {
  return (await call(api.GET('/api/v1/members'))).items
}

export async function changeRole(userId: string, role: Role): Promise<void> {
  await call(
    api.PATCH('/api/v1/members/{user_id}', { params: { path: { user_id: userId } }, body: { role } }),
  )
}

export async function removeMember(userId: string): Promise<void> {
  await call(api.DELETE('/api/v1/members/{user_id}', { params: { path: { user_id: userId } } }))
}

/** A single-use link for the member to set a new password (shown once). */
export function passwordResetLink(userId: string) {
  return call(api.POST('/api/v1/members/{user_id}/password-reset', { params: { path: { user_id: userId } } }))
}

export async function listInvitations(): Promise<Invitation[]> {
  return (await call(api.GET('/api/v1/invitations'))).items
}

/** Invites someone by email; the answer holds the link to accept it (shown once). */
export function invite(email: string, role: Role): Promise<Invitation> {
  return call(api.POST('/api/v1/invitations', { body: { email, role } }))
}

export async function withdrawInvitation(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/invitations/{id}', { params: { path: { id } } }))
}

/** A page of the workspace's security events, newest first. */
export function securityEvents(limit: number, cursor?: string | null) {
  return call(
    api.GET('/api/v1/security-events', { params: { query: { limit, cursor: cursor ?? undefined } } }),
  )
}
