import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const alias = {
  'vue-realtime-chat/core': fileURLToPath(new URL('./src/core/index.ts', import.meta.url)),
  'vue-realtime-chat/protocol': fileURLToPath(new URL('./src/protocol/index.ts', import.meta.url)),
  'vue-realtime-chat/sanitize': fileURLToPath(new URL('./src/sanitize/index.ts', import.meta.url)),
  'vue-realtime-chat/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
  'vue-realtime-chat': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
}

// Projects: unit (pure logic, fake timers), integration (real sockets vs the test server),
// vue (components in happy-dom, real sockets), dom (jsdom: DOMPurify needs a real-ish DOM).
// Nuxt and browser e2e tests have their own configs (test/nuxt, test/e2e).
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      { resolve: { alias }, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], environment: 'node', testTimeout: 30_000, hookTimeout: 30_000 } },
      { resolve: { alias }, test: { name: 'vue', include: ['test/vue/**/*.test.ts'], setupFiles: ['test/vue/setup.ts'], environment: 'happy-dom', testTimeout: 30_000 } },
      { resolve: { alias }, test: { name: 'dom', include: ['test/dom/**/*.test.ts'], environment: 'jsdom' } },
    ],
  },
})
