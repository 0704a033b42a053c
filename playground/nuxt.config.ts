import { fileURLToPath } from 'node:url'

const src = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url))

// Pointed at another backend (NUXT_PUBLIC_CHAT_BASE_URL), the embedded one goes unused and the
// typing and read-receipt extensions are off: reference servers close the socket (1011) on frames
// they do not know.
const external = Boolean(process.env.NUXT_PUBLIC_CHAT_BASE_URL)

export default defineNuxtConfig({
  modules: ['../nuxt-module/src/module'],
  compatibilityDate: '2025-07-15',
  devtools: { enabled: false },
  telemetry: false,
  ssr: true,
  css: ['~/assets/chat.css'],
  // nuxt.config loads the module from source, and the module's types name the library: the node
  // project (nuxt.config and modules) must resolve it to source too, as the app's aliases do.
  typescript: { nodeTsConfig: { compilerOptions: { paths: { 'vue-realtime-chat': [src('index.ts')] } } } },
  // Maps (not referenced by the bundles) so a Chromium profile of the built app names source functions.
  sourcemap: { server: true, client: 'hidden' },
  app: { head: { title: 'vue-realtime-chat playground', htmlAttrs: { lang: 'en' } } },
  // In this repo the library is its source; an app installs `vue-realtime-chat` from npm instead.
  // More specific aliases first: 'vue-realtime-chat' would otherwise also match its subpaths.
  alias: {
    'vue-realtime-chat/core': src('core/index.ts'),
    'vue-realtime-chat/sanitize': src('sanitize/index.ts'),
    'vue-realtime-chat/testing': src('testing/index.ts'),
    'vue-realtime-chat': src('index.ts'),
  },
  chat: {
    extensions: { typing: !external, readReceipts: !external },
    historyCache: { enabled: true, maxMessages: 1000 },
  },
  runtimeConfig: {
    // Server-only settings of the embedded dev backend (NUXT_CHAT_BACKEND_* at run time).
    chatBackend: {
      /** `false` turns the embedded REST and WebSocket routes off (404). */
      enabled: !external,
      /** PGlite data directory. */
      dataDir: fileURLToPath(new URL('./.data/chat', import.meta.url)),
      /** Access token lifetime in seconds (short values exercise silent refresh). */
      accessTtlSeconds: 3600,
      refreshTtlSeconds: 604800,
      /** HS256 secret; empty: generated once and kept in the data directory. */
      secret: '',
    },
  },
  nitro: {
    experimental: { websocket: true },
  },
  vite: {
    optimizeDeps: { exclude: ['@electric-sql/pglite'] },
  },
})
