/** Shared by the auth-*.test.ts integration suites: real clock, real fetch, real test server. */
import { createAuth } from '../../src/core/auth'
import type { AuthController, AuthDeps } from '../../src/core/auth'
import { createMemoryStorage } from '../../src/core/storage'
import type { ChatServer } from '../../src/testing'
import type { FetchLike, Scheduler } from '../../src/core/types'

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: handle => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export const STUDENT = { email: 'student@example.com', password: 'student123' } as const

let keySeq = 0
/** A storage key (and so a BroadcastChannel name) no other test shares. */
export function uniqueKey(): string {
  return `auth-it-${process.pid}-${++keySeq}`
}

export interface AuthFixture {
  make(overrides?: Partial<AuthDeps>): AuthController
  destroyAll(): void
}

/** Controllers against `server`, destroyed by `destroyAll()` (timers and channels closed). */
export function authFixture(getServer: () => ChatServer): AuthFixture {
  const made: AuthController[] = []
  return {
    make(overrides = {}) {
      const auth = createAuth({
        apiUrl: getServer().url,
        fetch: globalThis.fetch as FetchLike,
        storage: createMemoryStorage(),
        storageKey: uniqueKey(),
        scheduler: realScheduler,
        userIdClaim: 'user_id',
        refreshThresholdMs: 300_000,
        clockSkewMs: 30_000,
        crossTab: false,
        ...overrides,
      })
      made.push(auth)
      return auth
    },
    destroyAll() {
      for (const auth of made.splice(0)) auth.destroy()
    },
  }
}

export { once, waitFor } from '../support/wait'
