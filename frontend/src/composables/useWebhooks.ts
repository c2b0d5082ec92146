// Webhooks (admins): endpoints, turning one on or off, a test event, and the delivery log with
// manual redelivery.
import { api, call } from '../api/client'
import type { CreatedWebhook, CreateWebhook, Webhook, WebhookDelivery } from '../api/types'

export async function listWebhooks(): Promise<Webhook[]> {
  return (await call(api.GET('/api/v1/webhooks'))).items
}

/** Adds an endpoint; the answer holds its signing secret, shown this once. */
export function createWebhook(body: CreateWebhook): Promise<CreatedWebhook> {
  return call(api.POST('/api/v1/webhooks', { body }))
}

/** Turns an endpoint on or off, unless it changed since it was read. */
export async function setWebhookEnabled(hook: Webhook, enabled: boolean): Promise<void> {
  await call(
    api.PATCH('/api/v1/webhooks/{id}', {
      params: { path: { id: hook.id } },
      body: { enabled, version: hook.version },
    }),
  )
}

export async function deleteWebhook(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } }))
}

/** Sends a test event now and says how the endpoint answered. */
export function sendTestEvent(id: string): Promise<WebhookDelivery> {
  return call(api.POST('/api/v1/webhooks/{id}/test', { params: { path: { id } } }))
}

/** A page of an endpoint's deliveries, newest first. */
export function webhookDeliveries(id: string, cursor?: string | null) {
  return call(
    api.GET('/api/v1/webhooks/{id}/deliveries', {
      params: { path: { id }, query: { limit: 20, cursor: cursor ?? undefined } },
    }),
  )
}

/** Queues a delivery to be sent again. */
export async function redeliver(id: string): Promise<void> {
  await call(api.POST('/api/v1/webhook-deliveries/{id}/redeliver', { params: { path: { id } } }))
}
