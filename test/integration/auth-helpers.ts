/** Shared by the auth-*.test.ts integration suites: real clock, real fetch, real test server. */
import { createAuth } from '../../src/core/auth/auth'
import type { AuthController, AuthDeps } from '../../src/core/auth/auth'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createChatServer } from '../../src/testing'
import type { ChatServer, ChatServerOptions } from '../../src/testing'
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
  /** The suite's real test server (started before all tests, closed after). */
  readonly server: ChatServer
  make(overrides?: Partial<AuthDeps>): AuthController
}

/**
 * One real test server per suite and auth controllers against it; controllers are destroyed after
 * each test (timers and channels closed), the server after the suite.
 */
export function authFixture(options: ChatServerOptions = {}): AuthFixture {
  let server: ChatServer | undefined
  const made: AuthController[] = []
  beforeAll(async () => {
    server = await createChatServer(options)
  })
  afterEach(() => {
    for (const auth of made.splice(0)) auth.destroy()
  })
  afterAll(() => server?.close())
  const fx: AuthFixture = {
    get server(): ChatServer {
      if (!server) throw new Error('authFixture: the server starts in beforeAll')
      return server
    },
    make(overrides = {}) {
      const auth = createAuth({
        apiUrl: fx.server.url,
        fetch: globalThis.fetch as FetchLike,
        storage: createMemoryStorage(),
        storageKey: uniqueKey(),
        scheduler: realScheduler,
        userIdClaim: 'user_id',
        refreshThresholdMs: 300_000,
        clockSkewMs: 30_000,
        crossTab: false,
        instanceId: globalThis.crypto.randomUUID(),
        ...overrides,
      })
      made.push(auth)
      return auth
    },
  }
  return fx
}

export { once, waitFor } from '../support/wait'
