// A stand-in for the server in component tests: answers are registered per method and path
// template, typed from the OpenAPI document (schema.d.ts), so a test cannot hand a view a body
// the real API would never send. Every request is recorded for assertions.
import type { paths } from '../api/schema'
import type { Problem } from '../api/types'

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never
/** The JSON body of an operation's success answer (200, else 201). */
export type Answer<P extends keyof paths, M extends Method> = paths[P][M] extends {
  responses: infer R
}
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer A }
      ? Json<A>
      : never
  : never

export interface Sent {
  method: string
  path: string
  query: URLSearchParams
  headers: Headers
  body: unknown
}

type Reply = { status: number; body: unknown } | Promise<{ status: number; body: unknown }>
const routes: { method: string; pattern: RegExp; reply: (req: Sent) => Reply }[] = []
/** What the page sent, in order. */
export const sent: Sent[] = []

function patternOf(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')
  return new RegExp(`^${escaped}$`)
}

/** Answers `method path` with `body` (or what `answer` makes of the request), status 200. */
export function onApi<P extends keyof paths, M extends Method>(
  method: M,
  path: P,
  answer: Answer<P, M> | ((req: Sent) => Answer<P, M> | Promise<Answer<P, M>>),
  status = 200,
) {
  routes.unshift({
    method: method.toUpperCase(),
    pattern: patternOf(path),
    reply: (req) => {
      const body = typeof answer === 'function' ? (answer as (r: Sent) => unknown)(req) : answer
      return body instanceof Promise ? body.then((b) => ({ status, body: b })) : { status, body }
    },
  })
}

/** Refuses `method path` with a problem document, as the server does. */
export function refuse<P extends keyof paths>(
  method: Method,
  path: P,
  status: number,
  problem: Partial<Problem> & { code: string },
) {
  routes.unshift({
    method: method.toUpperCase(),
    pattern: patternOf(path),
    reply: () => ({
      status,
      body: { type: 'about:blank', title: problem.code, status, detail: problem.code, ...problem },
    }),
  })
}

/** Forgets every answer and every recorded request. */
export function resetApi() {
  routes.length = 0
  sent.length = 0
}

/** The `fetch` the API client is built with under test (see test-setup.ts). */
export async function fakeFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(String(input), init)
  const url = new URL(request.url, 'http://localhost')
  const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
  const req: Sent = {
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    headers: request.headers,
    body: text ? JSON.parse(text) : undefined,
  }
  sent.push(req)
  const route = routes.find((r) => r.method === req.method && r.pattern.test(req.path))
  if (!route) {
    return new Response(
      JSON.stringify({ type: 'about:blank', title: 'Not mocked', status: 404, code: 'not_found' }),
      { status: 404, headers: { 'content-type': 'application/problem+json' } },
    )
  }
  const { status, body } = await route.reply(req)
  const type = status >= 400 ? 'application/problem+json' : 'application/json'
  return status === 204
    ? new Response(null, { status })
    : new Response(JSON.stringify(body), { status, headers: { 'content-type': type } })
}
