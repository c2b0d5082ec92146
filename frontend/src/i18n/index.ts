// The web app's languages: messages in ICU MessageFormat (plurals, selects) compiled by
// intl-messageformat, served through vue-i18n. English is bundled; Spanish and French load when
// chosen. The language follows the signed-in user's choice, else the browser's.
import { createI18n, type MessageCompiler, type MessageContext } from 'vue-i18n'
import { IntlMessageFormat } from 'intl-messageformat'
import en from './locales/en'

export type Messages = typeof en
export const LOCALES = ['en', 'es', 'fr'] as const
export type Locale = (typeof LOCALES)[number]
/** Each language's name in itself, for the chooser. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', es: 'Español', fr: 'Français' }

declare module 'vue-i18n' {
  // Keys are checked by the type checker: `t('nav.contact')` with a typo does not compile.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface DefineLocaleMessage extends Messages {}
}

const formats = new Map<string, IntlMessageFormat>()

/** Compiles (once per language) an ICU message such as `{n, plural, one {# day} other {# days}}`. */
const messageCompiler: MessageCompiler = (message, { locale, key, onError }) => {
  if (typeof message !== 'string') {
    onError?.(new Error(`message ${key} is not a string`) as never)
    return () => key
  }
  const id = `${locale}\u0000${message}`
  let format = formats.get(id)
  if (!format) {
    format = new IntlMessageFormat(message, locale, undefined, { ignoreTag: true })
    formats.set(id, format)
  }
  const compiled = format
  // With elements as values (`<i18n-t>` slots: links, code, emphasis) the result is a list of
  // text and elements for the component to render; otherwise it is text.
  return ((ctx: MessageContext) => {
    const out = compiled.format(ctx.values as Record<string, unknown>)
    return Array.isArray(out) ? out : String(out)
  }) as ReturnType<MessageCompiler>
}

export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en } as Record<Locale, Messages>,
  messageCompiler,
  missingWarn: import.meta.env.DEV,
  fallbackWarn: false,
})

/** `t` for code outside components (stores, helpers). */
export const t = i18n.global.t

/** Whether the app has words for `key` (English holds every key; other languages load later). */
export function hasMessage(key: string): boolean {
  return i18n.global.te(key, 'en')
}

/** The language the app speaks now, for `Intl` formatting. */
export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

const loaders: Record<Exclude<Locale, 'en'>, () => Promise<{ default: Messages }>> = {
  es: () => import('./locales/es'),
  fr: () => import('./locales/fr'),
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** The first of the browser's languages that the app speaks, else English. */
export function browserLocale(
  languages: readonly string[] = navigator.languages ?? [navigator.language],
): Locale {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0]
    if (isLocale(base)) return base
  }
  return 'en'
}

const STORAGE_KEY = 'rapport.locale'

/** The language to start in: the last one used on this device (the user's, once signed in). */
export function startingLocale(): Locale {
  let stored: string | null = null
  try {
    stored = localStorage.getItem(STORAGE_KEY)
  } catch {
    stored = null
  }
  return isLocale(stored) ? stored : browserLocale()
}

/**
 * Switches the app's language, loading its messages first if needed. `remember` keeps it for this
 * device (the sign-in page speaks it too); a language that only follows the browser is not kept.
 */
export async function setLocale(locale: Locale, remember = true): Promise<void> {
  if (locale !== 'en' && !i18n.global.availableLocales.includes(locale)) {
    const messages = await loaders[locale]()
    i18n.global.setLocaleMessage(locale, messages.default)
  }
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try {
    if (remember) localStorage.setItem(STORAGE_KEY, locale)
    else localStorage.removeItem(STORAGE_KEY)
  } catch {
    // Private windows may refuse storage; the language still applies to this page.
  }
}

/**
 * The locale for dates, numbers and money: the browser's own variant of the app's language when
 * it has one (an English app in a British browser writes 2 Dec 2026), else the language itself.
 */
export function formatLocale(): string {
  const language = currentLocale()
  const languages = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language])
  return languages.find((tag) => tag.toLowerCase().split('-')[0] === language) ?? language
}
