// Outgoing email: the workspace's SMTP settings (admins) with a test message, who a message would
// come from, an email drafted by the AI, sent to a contact (queued and logged), or logged as sent
// from elsewhere; and the person's daily digest.
import { api, call } from '../api/client'
import type {
  DigestSettings,
  EmailDraftRequest,
  MailSender,
  MailSettings,
  PutDigest,
  PutMailSettings,
  SendEmail,
} from '../api/types'

/** The workspace's SMTP settings; a 404 problem when none are saved. */
export function getMailSettings(): Promise<MailSettings> {
  return call(api.GET('/api/v1/mail-settings'))
}

/** Saves the settings (a password left out keeps the saved one). */
export function saveMailSettings(body: PutMailSettings): Promise<MailSettings> {
  return call(api.PUT('/api/v1/mail-settings', { body }))
}

/** Removes the settings, unless they changed since version `version` was read. */
export async function removeMailSettings(version: number | undefined): Promise<void> {
  await call(api.DELETE('/api/v1/mail-settings', { headers: { 'If-Match': `"${version}"` } }))
}

/** Sends a test message now (to `to`, else to the person asking) and says how the server answered. */
export function testMailSettings(to: string | null) {
  return call(api.POST('/api/v1/mail-settings/test', { body: { to } }))
}

/** Who a message sent from Rapport comes from; a problem when sending is not set up. */
export function mailSender(): Promise<MailSender> {
  return call(api.GET('/api/v1/mail-sender'))
}

export function draftEmail(contactId: string, body: EmailDraftRequest) {
  return call(api.POST('/api/v1/contacts/{id}/email-draft', { params: { path: { id: contactId } }, body }))
}

/** Queues an email to a contact; it is logged on their timeline once sent. */
export async function sendEmail(contactId: string, body: SendEmail): Promise<void> {
  await call(api.POST('/api/v1/contacts/{id}/send-email', { params: { path: { id: contactId } }, body }))
}

export function getDigest(): Promise<DigestSettings> {
  return call(api.GET('/api/v1/me/digest'))
}

export function saveDigest(body: PutDigest): Promise<DigestSettings> {
  return call(api.PUT('/api/v1/me/digest', { body }))
}
