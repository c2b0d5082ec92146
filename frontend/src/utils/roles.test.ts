import { describe, expect, it } from 'vitest'
import { allows } from './roles'

describe('allows', () => {
  it('ranks owner > admin > member > read_only', () => {
    expect(allows('owner', 'admin')).toBe(true)
    expect(allows('admin', 'admin')).toBe(true)
    expect(allows('member', 'admin')).toBe(false)
    expect(allows('read_only', 'member')).toBe(false)
    expect(allows('read_only', 'read_only')).toBe(true)
  })

  it('allows nothing without a role', () => {
    expect(allows(null, 'read_only')).toBe(false)
    expect(allows(undefined, 'read_only')).toBe(false)
  })
})
