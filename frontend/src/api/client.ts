// The only module that talks to the network: a typed client generated from the OpenAPI
// document, plus the normalisation of RFC 9457 problem responses into ApiError.
import createClient from 'openapi-fetch'
import type { paths } from './schema'
import type { FieldError, Problem } from './types'
import { currentLocale, i18n, t } from '../i18n'

// `fetch` is looked up on each call (not once at start), so tests can stand in for the server.
export const api = createClient<paths>({ baseUrl: '', fetch: (request) => globalThis.fetch(request) })

let onUnauthorized: (() => void) | null = null

/** Called when the server says the session is gone (401) on any request but sign-in's own. */
export function whenUnauthorized(handler: () => void) {
  onUnauthorized = handler
}

api.use({
  // Answers a language model writes come in the language the app speaks.
  onRequest({ request }) {
    request.headers.set('Accept-Language', currentLocale())
    return request
  },
  onResponse({ request, response }) {
    const path = new URL(request.url, window.location.origin).pathname
    const own = path.startsWith('/api/v1/auth/') || path === '/api/v1/me' || path.includes('/invitations/')
    if (response.status === 401 && !own) onUnauthorized?.()
    return response
  },
})

/** A failed API call, carrying the server's problem document when there was one. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly problem: Problem | null

  constructor(status: number, problem: Problem | null, fallback: string) {
    const code = problem?.code ?? (status === 0 ? 'network_error' : 'http_error')
    super(describeProblem(status, code, problem, fallback))
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.problem = problem
  }

  /** Messages by field name, in the app's language, for showing next to form inputs. */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.problem?.errors ?? []) {
      const root = e.field.replace(/\[\d+\]$/, '')
      out[root] ??= fieldMessage(e)
    }
    return out
  }
}

/** Any failure as an ApiError (a thrown non-API error keeps its text, with status 0). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  return new ApiError(0, null, e instanceof Error ? e.message : String(e))
}

const PROBLEM_KEYS = Object.keys(i18n.global.getLocaleMessage('en').problems ?? {})
const FIELD_KEYS = Object.keys(i18n.global.getLocaleMessage('en').fieldErrors ?? {})

/**
 * One invalid field in the app's language, from its stable `code` and `params` (`length` with
 * `max` → "Debe tener como máximo 100 caracteres"); in English, and for a code the app does not
 * know, the server's own message.
 */
export function fieldMessage(e: FieldError): string {
  // English is the server's own language, and its message can name the value ('ada@' is not…).
  if (currentLocale() === 'en') return e.message
  const params = (e.params ?? {}) as Record<string, unknown>
  let key: string = e.code
  if (e.code === 'length' || e.code === 'range') {
    const has = (n: string) => params[n] !== undefined && params[n] !== null
    key = `${e.code}_${has('min') && has('max') ? 'between' : has('max') ? 'max' : 'min'}`
  }
  if (!FIELD_KEYS.includes(key)) return e.message
  const values: Record<string, unknown> = { ...params }
  if (Array.isArray(params.choices)) values.choices = params.choices.join(', ')
  return t(`fieldErrors.${key}` as 'fieldErrors.required', values as Record<string, string>)
}

/**
 * The problem in the app's language: in English the server's own detail (it names the record and
 * the reason); otherwise the translation of its code, and for invalid input the first field.
 */
function describeProblem(status: number, code: string, problem: Problem | null, fallback: string): string {
  if (currentLocale() === 'en' && problem?.detail) return problem.detail
  const errors = problem?.errors ?? []
  if (code === 'validation_failed' && errors[0]) {
    const first = `${errors[0].field}: ${fieldMessage(errors[0])}`
    return t('problems.validation_failed', { count: errors.length, first })
  }
  if (PROBLEM_KEYS.includes(code)) {
    return t(`problems.${code}` as 'problems.not_found', { status, id: problem?.request_id ?? '' })
  }
  return problem?.detail ?? fallback
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value
}

/**
 * Unwraps an openapi-fetch result: the data, or an ApiError with the problem details.
 * Network failures become ApiError with status 0.
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response }
  try {
    result = await request
  } catch {
    throw new ApiError(0, null, t('problems.network_error'))
  }
  const { data, error, response } = result
  if (response.ok) return data as T
  const problem = isProblem(error) ? error : null
  throw new ApiError(
    response.status,
    problem,
    t('problems.http_error', { status: `${response.status} ${response.statusText}`.trim() }),
  )
}

/** A random key for Idempotency-Key (crypto.randomUUID needs a secure context). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto && window.isSecureContext)
    return crypto.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`
}
