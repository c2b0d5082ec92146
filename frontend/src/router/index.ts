import { createRouter, createWebHistory } from 'vue-router'
import { useSession } from '../stores/session'

// Views load lazily so the first page only downloads what it shows.
export const router = createRouter({
  history: createWebHistory(),
  // Links like /settings#pipelines scroll to their section once the page has drawn it.
  scrollBehavior(to, _from, saved) {
    if (saved) return saved
    if (to.hash) return new Promise((resolve) => setTimeout(() => resolve({ el: to.hash, top: 16 }), 300))
    return { top: 0 }
  },
  routes: [
    {
      path: '/login',
      name: 'login',
      component: () => import('../views/LoginView.vue'),
      meta: { public: true },
    },
    {
      path: '/invitations/:token',
      name: 'invitation',
      component: () => import('../views/InvitationView.vue'),
      props: true,
      meta: { public: true },
    },
    {
      path: '/reset-password/:token',
      name: 'reset-password',
      component: () => import('../views/ResetPasswordView.vue'),
      props: true,
      meta: { public: true },
    },
    { path: '/account', name: 'account', component: () => import('../views/AccountView.vue') },
    { path: '/members', name: 'members', component: () => import('../views/MembersView.vue') },
    { path: '/', name: 'dashboard', component: () => import('../views/DashboardView.vue') },
    { path: '/contacts', name: 'contacts', component: () => import('../views/ContactsView.vue') },
    { path: '/contacts/new', name: 'contact-new', component: () => import('../views/ContactEditView.vue') },
    {
      path: '/contacts/from-email',
      name: 'contact-from-email',
      component: () => import('../views/EmailImportView.vue'),
    },
    {
      path: '/contacts/:id',
      name: 'contact',
      component: () => import('../views/ContactView.vue'),
      props: true,
    },
    {
      path: '/contacts/:id/edit',
      name: 'contact-edit',
      component: () => import('../views/ContactEditView.vue'),
      props: true,
    },
    { path: '/imports', name: 'imports', component: () => import('../views/ImportView.vue') },
    {
      path: '/imports/:id',
      name: 'import',
      component: () => import('../views/ImportView.vue'),
      props: true,
    },
    { path: '/duplicates', name: 'duplicates', component: () => import('../views/DuplicatesView.vue') },
    { path: '/trash', name: 'trash', component: () => import('../views/TrashView.vue') },
    { path: '/companies', name: 'companies', component: () => import('../views/CompaniesView.vue') },
    { path: '/companies/new', name: 'company-new', component: () => import('../views/CompanyEditView.vue') },
    {
      path: '/companies/:id',
      name: 'company',
      component: () => import('../views/CompanyView.vue'),
      props: true,
    },
    {
      path: '/companies/:id/edit',
      name: 'company-edit',
      component: () => import('../views/CompanyEditView.vue'),
      props: true,
    },
    { path: '/pipeline', name: 'pipeline', component: () => import('../views/PipelineView.vue') },
    { path: '/deals', name: 'deals', component: () => import('../views/DealsView.vue') },
    { path: '/deals/new', name: 'deal-new', component: () => import('../views/DealEditView.vue') },
    { path: '/deals/:id', name: 'deal', component: () => import('../views/DealView.vue'), props: true },
    {
      path: '/deals/:id/edit',
      name: 'deal-edit',
      component: () => import('../views/DealEditView.vue'),
      props: true,
    },
    { path: '/products', name: 'products', component: () => import('../views/ProductsView.vue') },
    {
      path: '/proposals/new',
      name: 'proposal-new',
      component: () => import('../views/ProposalEditView.vue'),
    },
    {
      path: '/proposals/:id',
      name: 'proposal',
      component: () => import('../views/ProposalEditView.vue'),
      props: true,
    },
    { path: '/follow-ups', name: 'follow-ups', component: () => import('../views/FollowUpsView.vue') },
    { path: '/sequences', name: 'sequences', component: () => import('../views/SequencesView.vue') },
    { path: '/sequences/:id', name: 'sequence', component: () => import('../views/SequencesView.vue') },
    { path: '/forms', name: 'forms', component: () => import('../views/FormsView.vue') },
    { path: '/forms/:id', name: 'form', component: () => import('../views/FormsView.vue') },
    { path: '/templates', name: 'templates', component: () => import('../views/TemplatesView.vue') },
    { path: '/settings', name: 'settings', component: () => import('../views/SettingsView.vue') },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue') },
  ],
})

// Every page but the public ones needs a signed-in user; the sign-in page brings them back.
router.beforeEach(async (to) => {
  const session = useSession()
  // The page's code downloads while the session is read below, not after it: on a first visit
  // that is one round trip less before the page can ask for its data.
  for (const record of to.matched) {
    for (const component of Object.values(record.components ?? {})) {
      // Every route's component is a lazy `() => import(…)`; the router awaits the same promise.
      if (typeof component === 'function') (component as () => Promise<unknown>)().catch(() => undefined)
    }
  }
  if (to.meta.public) {
    if (!session.loaded) await session.load().catch(() => false)
    return true
  }
  if (!session.me && !(await session.load())) return { name: 'login', query: { next: to.fullPath } }
  if (to.meta.role && !session.can(to.meta.role)) return { name: 'dashboard' }
  return true
})
