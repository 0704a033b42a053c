import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url))

// The test samples of the docs run as real tests against the real test server.
export default defineConfig({
  resolve: {
    alias: {
      'vue-realtime-chat/core': src('core/index.ts'),
      'vue-realtime-chat/protocol': src('protocol/index.ts'),
      'vue-realtime-chat/sanitize': src('sanitize/index.ts'),
      'vue-realtime-chat/testing': src('testing/index.ts'),
      'vue-realtime-chat': src('index.ts'),
    },
  },
  test: {
    name: 'docs-samples',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
})
