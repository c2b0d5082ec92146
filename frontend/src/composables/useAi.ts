// The AI features: a contact's insights, lead score and chat; reading an email into a contact;
// the provider's status and the answer cache (admins). Every answer may come from the cache;
// `refresh` asks for a new one.
import { api, call } from '../api/client'
import type {
  AiStatus,
  AppliedEmail,
  ApplyParsedEmail,
  CacheStats,
  ChatReply,
  Conversation,
  ConversationSummary,
  InsightsResponse,
  LeadScore,
  ParseEmailResponse,
} from '../api/types'

export function contactInsights(contactId: string, refresh = false): Promise<InsightsResponse> {
  return call(
    api.POST('/api/v1/contacts/{id}/insights', {
      params: { path: { id: contactId }, query: { refresh: refresh || undefined } },
    }),
  )
}

/** A contact's lead score (a contact in the trash too: its page still shows). */
export function leadScore(contactId: string, refresh = false): Promise<LeadScore> {
  return call(
    api.GET('/api/v1/contacts/{id}/lead-score', {
      params: { path: { id: contactId }, query: { refresh: refresh || undefined, include_trashed: true } },
    }),
  )
}

export async function contactConversations(contactId: string): Promise<ConversationSummary[]> {
  const page = await call(
    api.GET('/api/v1/contacts/{id}/conversations', {
      params: { path: { id: contactId }, query: { include_trashed: true } },
    }),
  )
  return page.items
}

export function conversation(id: string): Promise<Conversation> {
  return call(api.GET('/api/v1/ai/conversations/{id}', { params: { path: { id } } }))
}

/** Asks about a contact; continues `conversationId` when given, else starts a conversation. */
export function chat(contactId: string, message: string, conversationId: string | null): Promise<ChatReply> {
  return call(
    api.POST('/api/v1/contacts/{id}/chat', {
      params: { path: { id: contactId } },
      body: { message, conversation_id: conversationId },
    }),
  )
}

/** Reads an email (or a thread) into a contact, its messages and maybe a deal: nothing is saved. */
export function parseEmail(text: string): Promise<ParseEmailResponse> {
  return call(api.POST('/api/v1/ai/parse-email', { body: { text } }))
}

/** Saves what was read, as the user corrected it. */
export function applyParsedEmail(body: ApplyParsedEmail): Promise<AppliedEmail> {
  return call(api.POST('/api/v1/ai/parse-email/apply', { body }))
}

export function aiStatus(): Promise<AiStatus> {
  return call(api.GET('/api/v1/ai/status'))
}

export function aiCacheStats(): Promise<CacheStats> {
  return call(api.GET('/api/v1/ai/cache/stats'))
}

/** Forgets every cached answer of the workspace. */
export async function clearAiCache(): Promise<void> {
  await call(api.DELETE('/api/v1/ai/cache'))
}
