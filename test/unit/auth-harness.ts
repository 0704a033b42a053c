/**
 * The fake-clock auth harness: the real protocol backend (`createChatBackend`) answers through a
 * fetch adapter, and one fake scheduler drives both the client's timers and the server's clock.
 */
import { afterEach } from 'vitest'
import { createAuth } from '../../src/core/auth/auth'
import type { AuthController, AuthDeps } from '../../src/core/auth/auth'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { createChatBackend } from '../../src/testing'
import type { ChatBackend } from '../../src/testing'
import type { FetchLike, Scheduler } from '../../src/core/types'

export interface FakeScheduler extends Scheduler {
  advance(ms: number): Promise<void>
  readonly pending: number
}

export function createFakeScheduler(start = Date.UTC(2026, 0, 1)): FakeScheduler {
  let time = start
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  const settle = () => new Promise<void>(resolve => setImmediate(resolve))
  return {
    now: () => time,
    setTimeout(fn, ms) {
      timers.set(++seq, { at: time + Math.max(0, ms), fn })
      return seq
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    get pending() {
      return timers.size
    },
    async advance(ms) {
      const target = time + ms
      await settle()
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | undefined
        for (const entry of timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry
        if (!next) break
        timers.delete(next[0])
        time = next[1].at
        next[1].fn()
        await settle()
      }
      time = target
      await settle()
    },
  }
}

/** Routes fetch calls to the backend's REST functions; `offline` makes every call fail like a dead network. */
export function backendFetch(backend: ChatBackend) {
  const control = { offline: false, calls: 0 }
  const fetch: FetchLike = async (url, init) => {
    control.calls++
    if (control.offline) throw new TypeError('fetch failed')
    const path = new URL(url).pathname
    const answer = path === '/api/auth/login/'
      ? backend.login(init?.body ?? '')
      : path === '/api/auth/token/refresh/'
        ? backend.refresh(init?.body ?? '')
        : backend.me(init?.headers?.Authorization)
    const text = JSON.stringify(answer.body)
    return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, json: async () => JSON.parse(text) as unknown, text: async () => text }
  }
  return { fetch, control }
}

const created: AuthController[] = []
afterEach(() => {
  for (const auth of created.splice(0)) auth.destroy()
})

/**
 * A controller on a fake clock against the real backend. `serverClockOffsetMs` puts the server's
 * clock ahead (positive) or behind (negative) the client's; `make()` opens another controller
 * (a reload, or a tab) on the same storage.
 */
export function createAuthHarness(overrides: Partial<AuthDeps> = {}, backendOptions: Parameters<typeof createChatBackend>[0] = {}, serverClockOffsetMs = 0) {
  const scheduler = createFakeScheduler()
  const backend = createChatBackend({ secret: 'unit', now: () => scheduler.now() + serverClockOffsetMs, ...backendOptions })
  const { fetch, control } = backendFetch(backend)
  const storage = overrides.storage ?? createMemoryStorage()
  const make = (more: Partial<AuthDeps> = {}) => {
    const auth = createAuth({
      apiUrl: 'http://chat.test',
      fetch,
      storage,
      storageKey: 'unit',
      scheduler,
      userIdClaim: 'user_id',
      refreshThresholdMs: 300_000,
      clockSkewMs: 30_000,
      crossTab: false,
      instanceId: globalThis.crypto.randomUUID(),
      ...overrides,
      ...more,
    })
    created.push(auth)
    return auth
  }
  return { scheduler, backend, control, storage, make, auth: make() }
}
