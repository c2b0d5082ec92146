// Components under test get the app's messages, as in the app (English, the reference language).
import { config } from '@vue/test-utils'
import { i18n } from './i18n'

config.global.plugins = [...(config.global.plugins ?? []), i18n]
