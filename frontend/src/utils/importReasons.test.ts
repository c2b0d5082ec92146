import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '../i18n'
import { rowReason } from './importReasons'

// A record skipped as a repeat of an earlier one, as the server plans it.
const DUPLICATE = {
  reason: 'duplicate of row 2 (same email)',
  reason_code: 'duplicate_in_file',
  outcome: 'skip',
  reason_params: { row: 2, key: 'email' },
} as const

describe('rowReason', () => {
  afterEach(async () => {
    await setLocale('en', false)
  })

  it('keeps the server’s words in English', () => {
    expect(rowReason(DUPLICATE)).toBe('duplicate of row 2 (same email)')
  })

  it('translates skip reasons and errors by their code', async () => {
    await setLocale('fr', false)
    expect(rowReason(DUPLICATE)).toBe('Doublon de l’enregistrement 2 (même e-mail)')
    await setLocale('es', false)
    expect(
      rowReason({
        reason: "'x' is not a lifecycle stage (lead, customer)",
        reason_code: 'one_of',
        outcome: 'error',
        column: 'Stage',
        reason_params: { value: 'x', choices: ['lead', 'customer'] },
      }),
    ).toBe('«x» no es uno de: lead y customer')
    // A validation code shared with the API's problems (here a length) is said as those are.
    expect(
      rowReason({
        reason: 'must be at most 100 characters long',
        reason_code: 'length',
        outcome: 'error',
        column: 'Name',
        reason_params: { max: 100 },
      }),
    ).toBe('Debe tener como máximo 100 caracteres')
  })

  it('falls back to the English words for a record planned without a code', async () => {
    await setLocale('fr', false)
    expect(rowReason({ reason: 'unchanged', outcome: 'skip' })).toBe('unchanged')
  })
})
