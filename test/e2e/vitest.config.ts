import { defineConfig } from 'vitest/config'

// Real Chromium against the built playground. One file, sequential tests, one build per run
// (global-setup.ts), one server process the tests stop and restart.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
