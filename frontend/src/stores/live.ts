// Live updates: one server-sent event stream per tab (GET /api/v1/events/stream) while signed
// in. Pages register what they refresh on which changes; others' changes show as a short
// message. The browser reconnects by itself after a dropped connection (sending the last event
// id, so nothing is missed); after a refusal the stream is opened again with backoff.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { LiveEvent } from '../api/types'

/** `null`: too much was missed while away; reload everything shown. */
export type LiveListener = (event: LiveEvent | null) => void

export const useLive = defineStore('live', () => {
  const connected = ref(false)
  const listeners = new Set<LiveListener>()
  let source: EventSource | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let backoff = 1000
  let wanted = false

  function emit(event: LiveEvent | null) {
    for (const l of [...listeners]) {
      try {
        l(event)
      } catch {
        // One page's refresh failing does not stop the others.
      }
    }
  }

  function open() {
    if (!wanted || source || typeof EventSource === 'undefined') return
    const s = new EventSource('/api/v1/events/stream')
    source = s
    s.onopen = () => {
      connected.value = true
      backoff = 1000
    }
    s.onmessage = (m) => {
      try {
        emit(JSON.parse(m.data) as LiveEvent)
      } catch {
        // Not an event of ours: ignore it.
      }
    }
    s.addEventListener('reset', () => emit(null))
    s.onerror = () => {
      connected.value = false
      // CONNECTING: the browser retries by itself; CLOSED: it gave up (a refusal), so we retry.
      if (s.readyState === EventSource.CLOSED) {
        s.close()
        source = null
        clearTimeout(timer)
        timer = setTimeout(open, backoff)
        backoff = Math.min(backoff * 2, 30000)
      }
    }
  }

  /** Opens the stream (again, e.g. after switching workspace). */
  function start() {
    stop()
    wanted = true
    open()
  }

  function stop() {
    wanted = false
    clearTimeout(timer)
    source?.close()
    source = null
    connected.value = false
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  function on(listener: LiveListener): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  return { connected, start, stop, on }
})
