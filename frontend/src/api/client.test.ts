import { describe, expect, it } from 'vitest'
import { ApiError, api, call } from './client'
import { setLocale } from '../i18n'
import { onApi, sent } from '../test/api'

async function failure(request: Parameters<typeof call>[0]): Promise<ApiError> {
  try {
    await call(request)
  } catch (e) {
    return e as ApiError
  }
  throw new Error('the call was expected to fail')
}

function response(status: number): Response {
  return new Response(null, { status, statusText: status === 422 ? 'Unprocessable Content' : 'Error' })
}

describe('call', () => {
  it('returns data on success', async () => {
    await expect(call(Promise.resolve({ data: { ok: 1 }, response: response(200) }))).resolves.toEqual({
      ok: 1,
    })
  })

  it('turns problem responses into ApiError with field messages', async () => {
    const problem = {
      type: 'urn:rapport:problem:validation_failed',
      title: 'Unprocessable Content',
      status: 422,
      code: 'validation_failed',
      detail: '2 fields are invalid',
      errors: [
        { field: 'emails[1]', message: "'x' is not a valid email address" },
        { field: 'first_name', message: 'must not be blank' },
      ],
    }
    const err = await failure(Promise.resolve({ error: problem, response: response(422) }))
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('validation_failed')
    expect(err.message).toBe('2 fields are invalid')
    expect(err.fieldErrors).toEqual({
      emails: "'x' is not a valid email address",
      first_name: 'must not be blank',
    })
  })

  it('reports network failures as status 0', async () => {
    const err = await failure(Promise.reject(new TypeError('Failed to fetch')))
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.code).toBe('network_error')
  })

  it('copes with non-problem error bodies', async () => {
    const err = await failure(Promise.resolve({ error: 'boom', response: response(502) }))
    expect(err.message).toContain('502')
    expect(err.fieldErrors).toEqual({})
  })
})

describe('api', () => {
  it('asks for answers in the language the app speaks', async () => {
    onApi('get', '/api/v1/ai/status', { provider: 'local', model: 'rapport-local-1', reachable: true })
    await setLocale('fr', false)
    await call(api.GET('/api/v1/ai/status'))
    expect(sent.at(-1)?.headers.get('accept-language')).toBe('fr')
    await setLocale('en', false)
    await call(api.GET('/api/v1/ai/status'))
    expect(sent.at(-1)?.headers.get('accept-language')).toBe('en')
  })
})
