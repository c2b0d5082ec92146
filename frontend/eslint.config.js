// @ts-check
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

/** Every component already speaking through vue-i18n (the rest follow one by one). */
const TRANSLATED = [
  'src/App.vue',
  'src/components/OnboardingCard.vue',
  'src/components/ShortcutsDialog.vue',
  'src/components/charts/BarChart.vue',
  'src/views/AccountView.vue',
  'src/views/ContactsView.vue',
  'src/views/ContactView.vue',
  'src/components/contacts/LifecycleBadge.vue',
  'src/components/contacts/FollowUpDate.vue',
  'src/components/interactions/SentimentBadge.vue',
  'src/components/interactions/TimelineCard.vue',
  'src/components/reminders/RemindersCard.vue',
  'src/components/deals/DealsCard.vue',
  'src/components/ai/ChatCard.vue',
  'src/components/ai/InsightsCard.vue',
  'src/components/ai/LeadScoreCard.vue',
  'src/views/DashboardView.vue',
  'src/views/FollowUpsView.vue',
  'src/views/LoginView.vue',
  'src/views/NotFoundView.vue',
  'src/views/PipelineView.vue',
  'src/views/DealView.vue',
  'src/views/DealsView.vue',
  'src/views/DealEditView.vue',
  'src/components/deals/DealForm.vue',
  'src/components/deals/DealCard.vue',
  'src/components/deals/MoneyTotals.vue',
  'src/components/accounts/OwnerSelect.vue',
  'src/components/templates/ContactPicker.vue',
  'src/views/CompaniesView.vue',
  'src/views/CompanyView.vue',
  'src/views/CompanyEditView.vue',
  'src/components/companies/CompanyForm.vue',
  'src/components/contacts/ContactForm.vue',
  'src/views/ContactEditView.vue',
  'src/components/CustomFieldInputs.vue',
  'src/components/activity/ActivityList.vue',
  'src/components/MailSettingsCard.vue',
  'src/components/WebhooksCard.vue',
  'src/views/ProposalEditView.vue',
  'src/views/SequencesView.vue',
  'src/views/FormsView.vue',
  'src/views/ImportView.vue',
  'src/components/deals/PaymentsCard.vue',
  'src/components/deals/ProposalsCard.vue',
  'src/components/exports/ExportMenu.vue',
  'src/components/accounts/WorkspaceSwitcher.vue',
  'src/components/PossibleDuplicatesBanner.vue',
  'src/components/contacts/EraseContactDialog.vue',
  'src/components/contacts/BulkActionBar.vue',
  'src/components/SavedViews.vue',
  'src/components/CommandPalette.vue',
  'src/views/ResetPasswordView.vue',
  'src/views/InvitationView.vue',
  'src/views/TrashView.vue',
  'src/views/MembersView.vue',
  'src/views/TemplatesView.vue',
  'src/components/templates/EmailComposer.vue',
  'src/views/ProductsView.vue',
  'src/views/SettingsView.vue',
  'src/components/CalendarFeedCard.vue',
  'src/components/ai/AiSettingsCard.vue',
  'src/components/CustomFieldsCard.vue',
  'src/components/WorkspaceExportCard.vue',
  'src/components/DigestCard.vue',
  'src/views/DuplicatesView.vue',
  'src/components/MergeDialog.vue',
  'src/components/sequences/SequencesCard.vue',
  'src/components/deals/PipelinesCard.vue',
  'src/views/EmailImportView.vue',
]

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/api/schema.d.ts', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['e2e/**/*.mjs', 'perf/**/*.mjs', 'tools/**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        performance: 'readonly',
        PerformanceObserver: 'readonly',
      },
    },
  },
  {
    rules: {
      // Prettier owns formatting.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      // TypeScript checks names; this rule does not know browser or DOM types.
      'no-undef': 'off',
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Only src/api talks to the network.' }],
    },
  },
  {
    files: ['src/api/**'],
    rules: { 'no-restricted-globals': 'off' },
  },
  {
    // Pages and components whose every word goes through the messages in src/i18n: text in
    // their templates (and in titles, labels and placeholders) must come from `t(…)`.
    files: TRANSLATED,
    rules: {
      'vue/no-bare-strings-in-template': [
        'error',
        {
          // Symbols, digits and punctuation need no translation; nor do the brand and commands.
          allowlist: [
            '/[^\\p{L}]+/u',
            '/^R$/',
            '/^Rapport$/',
            '/^Enter$/',
            '/^rapport user reset-password EMAIL$/',
            '/^POST$/',
            'webhook-signature',
          ],
          attributes: {
            '/.+/': [
              'title',
              'aria-label',
              'aria-placeholder',
              'aria-roledescription',
              'aria-valuetext',
              'placeholder',
              'alt',
            ],
          },
          directives: ['v-text'],
        },
      ],
    },
  },
)
