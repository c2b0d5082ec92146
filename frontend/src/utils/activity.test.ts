import { describe, expect, it } from 'vitest'
import openapi from '../../../openapi/openapi.json'
import en from '../i18n/locales/en'
import { setLocale } from '../i18n'
import { formatMoney } from './money'
import { activityText } from './activity'
import { duplicateReason } from './duplicates'
import type { ActivityMessage } from '../api/types'

const entry = (summary: string, code: string | null, params: Record<string, string> = {}) => ({
  summary,
  message: code ? ({ code, params } as ActivityMessage) : null,
})

describe('history entries', () => {
  it('has words for every message code the API sends', () => {
    const codes: string[] = openapi.components.schemas.Message.enum
    expect(codes.length).toBeGreaterThan(50)
    const missing = codes.filter((code) => !(code in en.history))
    expect(missing).toEqual([])
  })

  it('words an entry in the reader’s language from its code and parameters', async () => {
    try {
      await setLocale('es')
      expect(
        activityText(
          entry('Logged a call with Ada Lovelace: Intro', 'interaction_logged_subject', {
            kind: 'call',
            name: 'Ada Lovelace',
            subject: 'Intro',
          }),
        ),
      ).toBe('Se registró una llamada con Ada Lovelace: Intro')
      expect(
        activityText(
          entry('Updated Ada: job title, tags', 'contact_updated', { name: 'Ada', fields: 'job_title,tags' }),
        ),
      ).toBe('Se actualizó a Ada: cargo y etiquetas')
      expect(
        activityText(
          entry('Received €1,200.50 from Ada', 'payment_received', {
            amount_minor: '120050',
            currency: 'EUR',
            name: 'Ada',
          }),
        ),
      ).toBe(`Se recibieron ${formatMoney(120050, 'EUR')} de Ada`)
      await setLocale('fr')
      expect(
        activityText(
          entry('Added the tags vip, conference to 2 contacts', 'bulk_tags_added', {
            tags: 'vip,conference',
            n: '2',
            kind: 'contact',
          }),
        ),
      ).toBe('Les étiquettes vip et conference ont été ajoutées à 2 contacts')
      // An undo names the change it undid, in the same language.
      expect(
        activityText(
          entry('Undid: Moved 1 deal to Won', 'bulk_undone', {
            change: 'Moved 1 deal to Won',
            change_code: 'bulk_stage_set',
            stage: 'Won',
            n: '1',
            kind: 'deal',
          }),
        ),
      ).toBe('Annulé : Déplacement de 1 affaire vers Won')
    } finally {
      await setLocale('en')
    }
  })

  it('keeps the server’s words for entries without a code, or with one it does not know', () => {
    expect(activityText(entry('Added Ada', null))).toBe('Added Ada')
    expect(activityText(entry('Something new', 'a_code_from_a_newer_server'))).toBe('Something new')
    expect(activityText(entry('Added Ada', 'contact_added', { name: 'Ada' }))).toBe('Added Ada')
  })
})

describe('duplicate reasons', () => {
  it('are said in the reader’s language, unknown ones as the server wrote them', async () => {
    try {
      await setLocale('fr')
      expect(duplicateReason('same LinkedIn URL')).toBe('même profil LinkedIn')
      expect(duplicateReason('similar name at the same company')).toBe('nom proche dans la même entreprise')
      expect(duplicateReason('same shoe size')).toBe('same shoe size')
    } finally {
      await setLocale('en')
    }
  })
})
