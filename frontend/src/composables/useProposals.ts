// Proposals (quotes) of a deal: listing, reading, a draft written by the AI from the deal, and
// saving (a new one once per idempotency key; a change with the version that was edited).
import { api, call } from '../api/client'
import type { CreateProposal, ListProposalsQuery, Proposal, UpdateProposal } from '../api/types'

export async function listProposals(query: ListProposalsQuery): Promise<Proposal[]> {
  return (await call(api.GET('/api/v1/proposals', { params: { query } }))).items
}

export function getProposal(id: string): Promise<Proposal> {
  return call(api.GET('/api/v1/proposals/{id}', { params: { path: { id } } }))
}

export function createProposal(body: CreateProposal, idempotencyKey?: string): Promise<Proposal> {
  return call(
    api.POST('/api/v1/proposals', {
      body,
      params: { header: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined },
    }),
  )
}

export function updateProposal(id: string, body: UpdateProposal): Promise<Proposal> {
  return call(api.PATCH('/api/v1/proposals/{id}', { params: { path: { id } }, body }))
}

/** Writes a draft proposal for a deal and saves it; answers with the saved proposal. */
export async function draftProposal(dealId: string): Promise<Proposal> {
  const r = await call(
    api.POST('/api/v1/deals/{id}/proposal-draft', { params: { path: { id: dealId } }, body: {} }),
  )
  return createProposal({ ...r.draft, deal_id: dealId })
}
