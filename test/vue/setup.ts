import { afterEach } from 'vitest'

// The plugin persists to localStorage by default; happy-dom keeps it for the whole file, so each
// test starts from an empty browser storage the way a new visitor does (SSR files have none).
afterEach(() => {
  globalThis.localStorage?.clear()
  globalThis.sessionStorage?.clear()
})
