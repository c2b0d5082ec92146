// The signed-in person's account and what happens before signing in: the first account of a new
// server (or an open sign-up), invitations, password resets, the person's name and password,
// their API tokens and a new workspace. Signing in and out and switching workspaces belong to
// the session store.
import { api, call } from '../api/client'
import type {
  AcceptInvitation,
  ApiToken,
  CreatedApiToken,
  InvitationPreview,
  Me,
  NewApiToken,
  PasswordResetPreview,
  Signup,
  UpdateMe,
} from '../api/types'

/** Whether the server waits for its first account (with the setup code) and whether anyone may sign up. */
export function setupStatus() {
  return call(api.GET('/api/v1/auth/setup'))
}

/** Creates an account (and its workspace) and signs it in. */
export function signup(body: Signup): Promise<Me> {
  return call(api.POST('/api/v1/auth/signup', { body }))
}

export function updateMe(body: UpdateMe): Promise<Me> {
  return call(api.PATCH('/api/v1/me', { body }))
}

/** Changes the password; the person's other sessions end. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await call(
    api.POST('/api/v1/me/password', {
      body: { current_password: currentPassword, new_password: newPassword },
    }),
  )
}

export async function listApiTokens(): Promise<ApiToken[]> {
  return (await call(api.GET('/api/v1/api-tokens'))).items
}

/** Creates a token; the answer holds its secret, shown this once. */
export function createApiToken(body: NewApiToken): Promise<CreatedApiToken> {
  return call(api.POST('/api/v1/api-tokens', { body }))
}

export async function revokeApiToken(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/api-tokens/{id}', { params: { path: { id } } }))
}

/** Whose password a reset link sets, if the link still holds. */
export function passwordReset(token: string): Promise<PasswordResetPreview> {
  return call(api.GET('/api/v1/auth/password-reset/{token}', { params: { path: { token } } }))
}

export async function resetPassword(token: string, newPassword: string): Promise<void> {
  await call(
    api.POST('/api/v1/auth/password-reset/{token}', {
      params: { path: { token } },
      body: { new_password: newPassword },
    }),
  )
}

/** Which workspace an invitation is to, and whether its address already has an account. */
export function invitationPreview(token: string): Promise<InvitationPreview> {
  return call(api.GET('/api/v1/invitations/{token}/preview', { params: { path: { token } } }))
}

/** Joins the workspace (creating the account when needed) and signs in. */
export function acceptInvitation(token: string, body: AcceptInvitation): Promise<Me> {
  return call(api.POST('/api/v1/invitations/{token}/accept', { params: { path: { token } }, body }))
}

export function createWorkspace(name: string) {
  return call(api.POST('/api/v1/workspaces', { body: { name } }))
}
