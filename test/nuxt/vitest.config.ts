import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url))

// One file, one fixture build (@nuxt/test-utils builds it in beforeAll), then plain HTTP requests.
export default defineConfig({
  resolve: {
    alias: {
      'vue-realtime-chat/testing': src('testing/index.ts'),
      'vue-realtime-chat/core': src('core/index.ts'),
      'vue-realtime-chat/protocol': src('protocol/index.ts'),
      'vue-realtime-chat': src('index.ts'),
    },
  },
  test: {
    name: 'nuxt',
    include: ['test/nuxt/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
})
