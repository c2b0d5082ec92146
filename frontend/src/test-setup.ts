// Components under test get the app's messages, as in the app (English, the reference language).
import { config } from '@vue/test-utils'
import { i18n } from './i18n'

config.global.plugins = [...(config.global.plugins ?? []), i18n]

// No network under test: the API client's requests go to the answers each test registers.
import { fakeFetch, resetApi } from './test/api'
import { beforeEach } from 'vitest'
globalThis.fetch = fakeFetch as typeof fetch
// The client asks for paths ("/api/v1/…") as a browser would; Node's Request wants whole URLs.
const NodeRequest = globalThis.Request
globalThis.Request = class extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === 'string' && input.startsWith('/') ? `http://localhost${input}` : input, init)
  }
}
beforeEach(resetApi)
