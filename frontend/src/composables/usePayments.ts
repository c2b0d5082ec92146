// Payments received from a contact (or for a deal): listing, recording (once per idempotency key)
// and deleting one recorded by mistake.
import { api, call } from '../api/client'
import type { CreatePayment, ListPaymentsQuery, Payment } from '../api/types'

export async function listPayments(query: ListPaymentsQuery): Promise<Payment[]> {
  return (await call(api.GET('/api/v1/payments', { params: { query } }))).items
}

export function recordPayment(body: CreatePayment, idempotencyKey: string): Promise<Payment> {
  return call(
    api.POST('/api/v1/payments', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } }),
  )
}

export async function deletePayment(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/payments/{id}', { params: { path: { id } } }))
}
