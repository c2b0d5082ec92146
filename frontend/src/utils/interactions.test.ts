import { describe, expect, it } from 'vitest'
import { KINDS, kindOf, sentimentEmoji } from './interactions'

describe('interaction helpers', () => {
  it('gives every kind a distinct shortcut key', () => {
    const keys = KINDS.map((k) => k.key)
    expect(new Set(keys).size).toBe(keys.length)
    expect(kindOf('call').label).toBe('Call')
  })
  it('shows sentiment as a face', () => {
    expect(sentimentEmoji({ sentiment: { label: 'negative', score: -0.6 } })).toBe('😞')
    expect(sentimentEmoji({ sentiment: null })).toBe('')
  })
})
