import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { defineComponent, h, resolveComponent } from 'vue'
import { IntlMessageFormat } from 'intl-messageformat'
import { TYPE, parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser'
import en from './locales/en'
import es from './locales/es'
import fr from './locales/fr'
import { browserLocale, i18n, setLocale } from '.'
import { fieldMessage } from '../api/client'
import { followUpLabel } from '../utils/format'

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

/** The names a message takes as values, e.g. `{count, plural, …}` → count. */
function argumentsOf(message: string): string[] {
  const names = new Set<string>()
  const walk = (elements: MessageFormatElement[]) => {
    for (const e of elements) {
      if (e.type === TYPE.literal || e.type === TYPE.pound) continue
      names.add(e.value)
      if (e.type === TYPE.plural || e.type === TYPE.select) {
        for (const option of Object.values(e.options)) walk(option.value)
      }
    }
  }
  walk(parse(message, { ignoreTag: true }))
  return [...names].sort()
}

const reference = flatten(en)
const languages = { es: flatten(es as Tree), fr: flatten(fr as Tree) }

describe('messages', () => {
  it.each(Object.entries(languages))('%s has exactly the English keys', (_, messages) => {
    const missing = [...reference.keys()].filter((k) => !messages.has(k))
    const extra = [...messages.keys()].filter((k) => !reference.has(k))
    expect({ missing, extra }).toEqual({ missing: [], extra: [] })
  })

  it.each(Object.entries({ en: reference, ...languages }))(
    '%s messages parse and take the same values as the English ones',
    (_, messages) => {
      for (const [key, message] of messages) {
        expect(() => new IntlMessageFormat(message, 'en', undefined, { ignoreTag: true }), key).not.toThrow()
        expect(argumentsOf(message), key).toEqual(argumentsOf(reference.get(key) ?? ''))
      }
    },
  )

  it.each(Object.entries(languages))('%s is translated, not copied', (_, messages) => {
    // A few words are the same in every language (a count in brackets, "Menu", "Contacts").
    const same = [...messages].filter(([k, v]) => v === reference.get(k) && /[a-z]{4}/i.test(v))
    expect(same.length).toBeLessThan(reference.size / 10)
  })
})

describe('the app in another language', () => {
  it('follows the browser to a language it speaks, else English', () => {
    expect(browserLocale(['de-DE', 'fr-CA', 'en'])).toBe('fr')
    expect(browserLocale(['es-MX'])).toBe('es')
    expect(browserLocale(['de', 'it'])).toBe('en')
  })

  it('counts with each language’s plural rules and says field errors from their codes', async () => {
    const now = new Date(2026, 10, 23, 12)
    const at = (d: number) => new Date(2026, 10, d, 9).toISOString()
    try {
      await setLocale('fr')
      expect(followUpLabel('overdue', 1, at(22), now)).toBe('En retard de 1 jour')
      expect(followUpLabel('overdue', 3, at(20), now)).toBe('En retard de 3 jours')
      expect(followUpLabel('upcoming', 0, at(24), now)).toBe('À faire demain')
      expect(
        fieldMessage({ field: 'name', code: 'length', message: 'x', params: { min: 1, max: 100 } }),
      ).toBe('Doit compter entre 1 et 100 caractères')
      await setLocale('es')
      expect(followUpLabel('due', 0, at(21), now)).toBe('Era para hace 2 días')
      expect(fieldMessage({ field: 'name', code: 'length', message: 'x', params: { max: 1 } })).toBe(
        'Debe tener como máximo 1 carácter',
      )
      // A code the app does not know keeps the server's words.
      expect(fieldMessage({ field: 'q', code: 'invalid', message: 'is not a query' })).toBe('is not a query')
    } finally {
      await setLocale('en')
    }
  })

  it('puts elements inside a sentence where each language wants them', async () => {
    const Probe = defineComponent({
      render: () =>
        h(
          resolveComponent('i18n-t'),
          { keypath: 'account.tokenCreated', tag: 'p' },
          {
            name: () => h('strong', 'Zapier'),
          },
        ),
    })
    const wrapper = mount(Probe, { global: { plugins: [i18n] } })
    expect(wrapper.html()).toContain('<strong>Zapier</strong> was created.')
    try {
      await setLocale('fr')
      await wrapper.vm.$forceUpdate()
      await new Promise((r) => setTimeout(r))
      expect(wrapper.text()).toBe('Zapier a été créé. Copiez-le maintenant : il ne sera plus affiché.')
      expect(wrapper.find('strong').text()).toBe('Zapier')
    } finally {
      await setLocale('en')
    }
  })
})
