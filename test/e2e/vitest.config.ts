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
    // One retry for real-browser tests only: a reload once stayed non-live for 30 s on a cold first
    // build (1 run in 7, not reproduced in 6 more). expectLive prints its diagnosis and saves a
    // screenshot on the first failure, so a retried flake still leaves evidence in the CI log.
    retry: 1,
  },
})
