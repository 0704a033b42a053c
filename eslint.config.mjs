// @ts-check
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const frameworkImports = [
  { group: ['vue', 'vue/*', '@vue/*'], message: 'src/core is framework-agnostic: no vue imports.' },
  { group: ['pinia', 'pinia/*', '@pinia/*'], message: 'src/core is framework-agnostic: no pinia imports.' },
  { group: ['@vueuse/*'], message: 'src/core is framework-agnostic: no VueUse imports.' },
  { group: ['nuxt', 'nuxt/*', '#app', '#imports'], message: 'src/core is framework-agnostic: no nuxt imports.' },
]

export default tseslint.config(
  {
    ignores: [
      'dist/**', '**/.nuxt/**', '**/.output/**', '**/.data/**', 'test-results/**',
      'bench/.tmp/**', 'coverage/**', 'node_modules/**',
      'docs/.vitepress/dist/**', 'docs/.vitepress/cache/**', 'docs/api/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'nuxt-module/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // The core runs in React apps, plain JS, Node and SSR: it must never pull in a framework.
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: frameworkImports }] },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs}'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
)
