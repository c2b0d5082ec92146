import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { whenUnauthorized } from './api/client'
import { vCan } from './directives/can'
import { useSession } from './stores/session'
import { useTheme } from './stores/theme'
import { browserLocale, i18n, setLocale, startingLocale } from './i18n'
import './styles/index.css'

const app = createApp(App).use(createPinia()).use(router).use(i18n)
app.directive('can', vCan)
// The theme applies before the first page draws.
useTheme()
// A session that ends elsewhere (signed out, expired, removed from the workspace) leads back to
// the sign-in page, which returns here afterwards.
whenUnauthorized(() => {
  useSession().forget()
  const here = router.currentRoute.value
  if (!here.meta.public) void router.replace({ name: 'login', query: { next: here.fullPath } })
})
// The language of this device (or the browser's) applies before the first page draws; the
// signed-in user's own choice follows once the session loads.
void setLocale(startingLocale(), startingLocale() !== browserLocale())
  .catch(() => undefined)
  .finally(() => app.mount('#app'))
