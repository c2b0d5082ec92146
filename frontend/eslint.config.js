// @ts-check
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

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
    // Pages and components reach the API through the composables (src/composables), which own
    // the requests; the client module's error helpers stay open to them.
    files: ['src/**/*.vue'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['../api/client', '../../api/client', '../../../api/client'].map((name) => ({
            name,
            importNames: ['api', 'call'],
            message: 'Call the API through a composable in src/composables.',
          })),
        },
      ],
    },
  },
  {
    // Every word of every page and component goes through the messages in src/i18n: text in
    // templates (and in titles, labels and placeholders) must come from `t(…)`.
    files: ['src/**/*.vue'],
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
