// The only module that talks to the network: a typed client generated from the OpenAPI
// document, plus the normalisation of RFC 9457 problem responses into ApiError.
import createClient from 'openapi-fetch'
import type { paths } from './schema'
import type { Problem } from './types'

export const api = createClient<paths>({ baseUrl: '' })

let onUnauthorized: (() => void) | null = null

/** Called when the server says the session is gone (401) on any request but sign-in's own. */
export function whenUnauthorized(handler: () => void) {
  onUnauthorized = handler
}

api.use({
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
    super(problem?.detail ?? fallback)
    this.name = 'ApiError'
    this.status = status
    this.code = problem?.code ?? (status === 0 ? 'network_error' : 'http_error')
    this.problem = problem
  }

  /** Messages by field name, for showing next to form inputs. */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.problem?.errors ?? []) {
      const root = e.field.replace(/\[\d+\]$/, '')
      out[root] ??= e.message
    }
    return out
  }
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
    throw new ApiError(0, null, 'Cannot reach the server. Check your connection and try again.')
  }
  const { data, error, response } = result
  if (response.ok) return data as T
  const problem = isProblem(error) ? error : null
  throw new ApiError(
    response.status,
    problem,
    `The server answered ${response.status} ${response.statusText}`,
  )
}
