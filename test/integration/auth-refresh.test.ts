import { afterEach, describe, expect, it } from 'vitest'
import { createChatServer } from '../../src/testing'
import { ChatError } from '../../src/core/errors'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { authFixture, once, waitFor } from './auth-helpers'

const fx = authFixture()
afterEach(() => fx.server.configure({ rotateRefresh: true }))

function stored(storage: ReturnType<typeof createMemoryStorage>, key: string): { access: string; refresh?: string } | null {
  return JSON.parse(storage.getItem(`${key}:auth`) ?? 'null') as { access: string; refresh?: string } | null
}

describe('token refresh against the real test server', () => {
  it('with rotation: a new access and a new refresh token are stored', async () => {
    const storage = createMemoryStorage()
    const auth = fx.make({ storage, storageKey: 'rot' })
    const issued = fx.server.issueTokens(1)
    auth.setTokens(issued)
    const before = fx.server.stats.refreshes
    await auth.refresh()
    expect(fx.server.stats.refreshes).toBe(before + 1)
    const now = stored(storage, 'rot')
    expect(now?.access).not.toBe(issued.access)
    expect(now?.refresh).toBeDefined()
    expect(now?.refresh).not.toBe(issued.refresh)
    expect(auth.getState().status).toBe('authenticated')
    // The old refresh token is blacklisted; the stored one works.
    await auth.refresh()
    expect(auth.getState().status).toBe('authenticated')
  })

  it('without rotation: only access comes back, the refresh token is kept', async () => {
    fx.server.configure({ rotateRefresh: false })
    const storage = createMemoryStorage()
    const auth = fx.make({ storage, storageKey: 'norot' })
    const issued = fx.server.issueTokens(1)
    auth.setTokens(issued)
    await auth.refresh()
    const now = stored(storage, 'norot')
    expect(now?.access).not.toBe(issued.access)
    expect(now?.refresh).toBe(issued.refresh)
  })

  it('refreshes a 2-second access token before it expires, by itself', async () => {
    const auth = fx.make()
    const issued = fx.server.issueTokens(1, { accessTtlSeconds: 2 })
    const before = fx.server.stats.refreshes
    auth.setTokens(issued)
    const expiresAt = auth.getState().expiresAt ?? 0
    const change = await once<{ expiresAt: number | null }>(h => auth.on('change', s => s.status === 'authenticated' && s.expiresAt !== expiresAt && h(s)), 'scheduled refresh', 4000)
    expect(Date.now()).toBeLessThan(expiresAt)
    expect(change.expiresAt).toBeGreaterThan(expiresAt)
    expect(fx.server.stats.refreshes).toBe(before + 1)
    expect(await auth.getAccessToken()).not.toBe(issued.access)
  })

  it('10 concurrent getAccessToken() on an expired token → exactly one refresh request', async () => {
    const auth = fx.make()
    auth.setTokens(fx.server.issueTokens(1, { accessTtlSeconds: -5 }))
    const before = fx.server.stats.refreshes
    const tokens = await Promise.all(Array.from({ length: 10 }, () => auth.getAccessToken()))
    expect(fx.server.stats.refreshes).toBe(before + 1)
    expect(new Set(tokens).size).toBe(1)
  })

  it('revoked refresh token → unauthorized state + one event, tokens cleared, no retry storm', async () => {
    const storage = createMemoryStorage()
    const auth = fx.make({ storage, storageKey: 'revoked' })
    const issued = fx.server.issueTokens(1, { accessTtlSeconds: -5 })
    fx.server.revokeRefresh(issued.refresh)
    auth.setTokens(issued)
    const events: ChatError[] = []
    auth.on('unauthorized', e => events.push(e))
    const before = fx.server.stats.refreshes
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => auth.getAccessToken()))
    expect(results.every(r => r.status === 'rejected' && (r.reason as ChatError).code === 'unauthorized')).toBe(true)
    expect(events).toHaveLength(1)
    expect(events[0]).toBeInstanceOf(ChatError)
    expect(auth.getState()).toMatchObject({ status: 'unauthorized', userId: null })
    expect(JSON.parse(storage.getItem('revoked:auth') ?? 'null')).toEqual({ ended: 'unauthorized' })
    // Later callers fail fast, with no request at all.
    await Promise.allSettled([auth.getAccessToken(), auth.refresh(), auth.me()])
    expect(fx.server.stats.refreshes).toBe(before + 1)
  })

  it('network error during refresh is not unauthorized: tokens kept, network error, retried once the server is back', async () => {
    const dedicated = await createChatServer()
    try {
      const storage = createMemoryStorage()
      const auth = fx.make({ apiUrl: dedicated.url, storage, storageKey: 'outage' })
      const issued = dedicated.issueTokens(1, { accessTtlSeconds: -5 })
      await dedicated.stop()
      auth.setTokens(issued)
      const error = await auth.getAccessToken().then(() => null, (e: unknown) => e as ChatError)
      expect(error?.code).toBe('network')
      expect(auth.getState().status).toBe('authenticated')
      expect(stored(storage, 'outage')?.refresh).toBe(issued.refresh)
      await dedicated.start()
      // The scheduled retry (backoff ~1 s) refreshes without any caller.
      await waitFor(() => stored(storage, 'outage')?.access !== issued.access, 'refresh retry after the outage', 8000)
      expect(auth.getState().status).toBe('authenticated')
      expect(dedicated.stats.refreshes).toBe(1)
    }
    finally {
      await dedicated.close()
    }
  })
})
