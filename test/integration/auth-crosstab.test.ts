/**
 * Two controllers sharing one storage are two tabs of one browser. Node 20's BroadcastChannel
 * connects channels of the same name inside the process; `createInProcessLocks()` stands in for
 * `navigator.locks`.
 */
import { describe, expect, it } from 'vitest'
import { createInProcessLocks } from '../../src/core/cross-tab'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { AuthDeps } from '../../src/core/auth/auth'
import { authFixture, once, STUDENT, uniqueKey, waitFor } from './auth-helpers'

const fx = authFixture()

/** Two tabs on one storage; `seed` is a session already stored when both tabs load. */
function twoTabs(shared: Partial<AuthDeps>, seed?: { access: string; refresh: string }) {
  const storage = createMemoryStorage()
  const storageKey = uniqueKey()
  if (seed) storage.setItem(`${storageKey}:auth`, JSON.stringify(seed))
  const a = fx.make({ storage, storageKey, crossTab: true, ...shared })
  const b = fx.make({ storage, storageKey, crossTab: true, ...shared })
  return { a, b, storage, storageKey }
}

describe('two tabs racing a rotating refresh', () => {
  it('with Web Locks: one refresh request, the other tab adopts the result', async () => {
    const issued = fx.server.issueTokens(1, { accessTtlSeconds: -5 })
    const before = fx.server.stats.refreshes
    const { a, b, storage, storageKey } = twoTabs({ locks: createInProcessLocks() }, issued)
    expect(b.getState().status).toBe('authenticated')
    const [ta, tb] = await Promise.all([a.getAccessToken(), b.getAccessToken()])
    expect(fx.server.stats.refreshes).toBe(before + 1)
    expect(ta).toBe(tb)
    expect(a.getState().status).toBe('authenticated')
    expect(b.getState().status).toBe('authenticated')
    const stored = JSON.parse(storage.getItem(`${storageKey}:auth`) ?? 'null') as { access: string; refresh: string }
    expect(stored.access).toBe(ta)
    expect(stored.refresh).not.toBe(issued.refresh)
  })

  it('with Web Locks: forced refreshes in both tabs at once still send one request', async () => {
    const { a, b } = twoTabs({ locks: createInProcessLocks() })
    a.setTokens(fx.server.issueTokens(1))
    await waitFor(() => b.getState().status === 'authenticated', 'tab B to adopt the login', 2000)
    const before = fx.server.stats.refreshes
    await Promise.all([a.refresh(), b.refresh()])
    expect(fx.server.stats.refreshes).toBe(before + 1)
    expect(await a.getAccessToken()).toBe(await b.getAccessToken())
  })

  it('fallback without locks (BroadcastChannel only): the loser adopts the winner\'s token, nobody is logged out', async () => {
    const before = fx.server.stats.refreshes
    const { a, b, storage, storageKey } = twoTabs({ locks: null }, fx.server.issueTokens(1, { accessTtlSeconds: -5 }))
    let unauthorized = 0
    a.on('unauthorized', () => unauthorized++)
    b.on('unauthorized', () => unauthorized++)
    const [ta, tb] = await Promise.all([a.getAccessToken(), b.getAccessToken()])
    expect(unauthorized).toBe(0)
    expect(a.getState().status).toBe('authenticated')
    expect(b.getState().status).toBe('authenticated')
    expect(ta).toBe(tb)
    expect(fx.server.stats.refreshes - before).toBeLessThanOrEqual(2)
    expect(storage.getItem(`${storageKey}:auth`)).not.toBeNull()
    // The adopted refresh token is the live one.
    await b.refresh()
    expect(b.getState().status).toBe('authenticated')
  })

  it('fallback without locks or channel (storage polling): nobody is logged out', async () => {
    const { a, b } = twoTabs({ locks: null, createChannel: null }, fx.server.issueTokens(1, { accessTtlSeconds: -5 }))
    let unauthorized = 0
    a.on('unauthorized', () => unauthorized++)
    b.on('unauthorized', () => unauthorized++)
    const [ta, tb] = await Promise.all([a.getAccessToken(), b.getAccessToken()])
    expect(unauthorized).toBe(0)
    expect(ta).toBe(tb)
    expect(a.getState().status).toBe('authenticated')
    expect(b.getState().status).toBe('authenticated')
  })

  it('logout in one tab logs out the other (shared storage), the channel carries no token', async () => {
    const storageKey = uniqueKey()
    const spy = new BroadcastChannel(`${storageKey}:auth`)
    const messages: unknown[] = []
    spy.onmessage = (event: MessageEvent) => messages.push(event.data)
    try {
      const storage = createMemoryStorage()
      const a = fx.make({ storage, storageKey, crossTab: true })
      const b = fx.make({ storage, storageKey, crossTab: true })
      const issued = fx.server.issueTokens(1)
      a.setTokens(issued)
      await waitFor(() => b.getState().status === 'authenticated', 'tab B to adopt the login', 2000)
      const change = once<{ status: string }>(h => b.on('change', h), 'tab B change', 2000)
      await a.logout()
      expect((await change).status).toBe('anonymous')
      await waitFor(() => messages.length >= 2, 'both broadcasts', 2000)
      expect(JSON.stringify(messages)).not.toContain(issued.access)
      expect(JSON.stringify(messages)).not.toContain(issued.refresh)
      expect(messages.map(m => (m as { type: string }).type)).toEqual(['tokens', 'logout'])
    }
    finally {
      spy.close()
    }
  })

  it('tabs with separate storage stay independent: one logout does not end the other session', async () => {
    const storageKey = uniqueKey()
    const a = fx.make({ storageKey, crossTab: true })
    const b = fx.make({ storageKey, crossTab: true })
    a.setTokens(fx.server.issueTokens(1))
    b.setTokens(fx.server.issueTokens(2))
    const seen = once<unknown>(h => {
      const probe = new BroadcastChannel(`${storageKey}:auth`)
      probe.onmessage = (event: MessageEvent) => h(event.data)
      return () => probe.close()
    }, 'logout broadcast', 2000)
    await a.logout()
    await seen
    expect(b.getState()).toMatchObject({ status: 'authenticated', userId: '2' })
  })
})

describe('a revoked refresh token with two tabs', () => {
  it('both tabs end unauthorized without a storm', async () => {
    const issued = fx.server.issueTokens(1, { accessTtlSeconds: -5 })
    fx.server.revokeRefresh(issued.refresh)
    const before = fx.server.stats.refreshes
    const { a, b } = twoTabs({ locks: createInProcessLocks() }, issued)
    const eventA = once(h => a.on('unauthorized', h), 'tab A unauthorized', 3000)
    const eventB = once(h => b.on('unauthorized', h), 'tab B unauthorized', 3000)
    await Promise.allSettled([a.getAccessToken(), b.getAccessToken()])
    await Promise.all([eventA, eventB])
    expect(a.getState().status).toBe('unauthorized')
    expect(b.getState().status).toBe('unauthorized')
    expect(fx.server.stats.refreshes - before).toBe(1)
  })
})

it('login in one tab signs in the other (shared storage)', async () => {
  const { a, b } = twoTabs({})
  const signedIn = once<{ status: string; userId: string | null }>(h => b.on('change', h), 'tab B change', 2000)
  await a.login(STUDENT.email, STUDENT.password)
  expect(await signedIn).toMatchObject({ status: 'authenticated', userId: '1' })
})
