/**
 * The auth controller on a fake clock: the real protocol backend (`createChatBackend`) answers
 * through a fetch adapter, the fake scheduler drives both the client's timers and the server's clock.
 */
import { describe, expect, it } from 'vitest'
import { ChatError } from '../../src/core/errors'
import { createChatBackend } from '../../src/testing'
import type { AuthState } from '../../src/core/types'
import { createAuthHarness as setup } from './auth-harness'

describe('auth controller (fake clock)', () => {
  it('logs in, exposes the user id as a string and keeps tokens out of the state', async () => {
    const { auth, storage } = setup()
    const states: AuthState[] = []
    auth.on('change', s => states.push(s))
    const user = await auth.login('student@example.com', 'student123')
    expect(user.id).toBe('1')
    expect(auth.getState().userId).toBe('1')
    expect(auth.getState()).toMatchObject({ status: 'authenticated', userId: '1', user: { email: 'student@example.com' } })
    const stored = JSON.parse(storage.getItem('unit:auth') ?? '{}') as { access: string }
    expect(JSON.stringify(auth.getState())).not.toContain(stored.access)
    expect(states.map(s => s.status)).toEqual(['authenticated'])
    expect(Object.isFrozen(auth.getState())).toBe(true)
  })

  it('schedules the refresh at expiry minus the threshold, not earlier', async () => {
    const { auth, backend, scheduler } = setup()
    await auth.login('student@example.com', 'student123')
    const expiresAt = auth.getState().expiresAt ?? 0
    expect(expiresAt).toBe(scheduler.now() + 3_600_000)
    await scheduler.advance(3_300_000 - 1)
    expect(backend.stats.refreshes).toBe(0)
    await scheduler.advance(1)
    expect(backend.stats.refreshes).toBe(1)
    expect(auth.getState().expiresAt).toBe(scheduler.now() + 3_600_000)
    expect(auth.getState().status).toBe('authenticated')
  })

  it('refreshes a 2 s token 1 s before expiry, once per token (no refresh loop)', async () => {
    const { auth, backend, scheduler } = setup({}, { accessTtlSeconds: 2 })
    await auth.login('student@example.com', 'student123')
    await scheduler.advance(999)
    expect(backend.stats.refreshes).toBe(0)
    await scheduler.advance(1)
    expect(backend.stats.refreshes).toBe(1)
    await scheduler.advance(1000)
    expect(backend.stats.refreshes).toBe(2)
  })

  it('hands out the stored token without a request while it is fresh', async () => {
    const { auth, backend, control } = setup()
    await auth.login('student@example.com', 'student123')
    const calls = control.calls
    const tokens = await Promise.all(Array.from({ length: 5 }, () => auth.getAccessToken()))
    expect(new Set(tokens).size).toBe(1)
    expect(control.calls).toBe(calls)
    expect(backend.stats.refreshes).toBe(0)
  })

  it('measures the clock offset from iat: a client clock 2 h ahead neither expires fresh tokens nor storms', async () => {
    const { auth, backend, scheduler } = setup({}, { now: () => Date.UTC(2026, 0, 1) - 7_200_000 })
    await auth.login('student@example.com', 'student123')
    expect(auth.getState().expiresAt).toBe(scheduler.now() + 3_600_000)
    await auth.getAccessToken()
    expect(backend.stats.refreshes).toBe(0)
  })

  it('single-flight when the token is due: one request for many callers, status goes refreshing → authenticated', async () => {
    const { auth, backend, storage, make } = setup()
    await auth.login('student@example.com', 'student123')
    auth.destroy()
    const issued = backend.issueTokens(1, { accessTtlSeconds: -10 })
    storage.setItem('unit:auth', JSON.stringify({ access: issued.access, refresh: issued.refresh }))
    const tab = make()
    expect(tab.getState().status).toBe('authenticated')
    const statuses: string[] = []
    tab.subscribe(() => statuses.push(tab.getState().status))
    const tokens = await Promise.all(Array.from({ length: 10 }, () => tab.getAccessToken()))
    expect(backend.stats.refreshes).toBe(1)
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(issued.access)
    expect(statuses).toEqual(['refreshing', 'authenticated'])
  })

  it('a network failure during refresh keeps the session and retries with backoff', async () => {
    const { auth, backend, control, scheduler } = setup({}, { accessTtlSeconds: 600 })
    await auth.login('student@example.com', 'student123')
    control.offline = true
    await scheduler.advance(300_000)
    expect(control.calls).toBe(2)
    expect(auth.getState().status).toBe('authenticated')
    // Still valid: the token is handed out although the refresh failed.
    const token = await auth.getAccessToken()
    expect(typeof token).toBe('string')
    control.offline = false
    await scheduler.advance(60_000)
    expect(backend.stats.refreshes).toBe(1)
    expect(auth.getState().status).toBe('authenticated')
    expect(await auth.getAccessToken()).not.toBe(token)
  })

  it('an expired token with the network down rejects with network and keeps the tokens', async () => {
    const { backend, control, storage, make } = setup()
    const issued = backend.issueTokens(1, { accessTtlSeconds: -10 })
    storage.setItem('unit:auth', JSON.stringify(issued))
    control.offline = true
    const auth = make()
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'network' })
    expect(auth.getState().status).toBe('authenticated')
    expect(storage.getItem('unit:auth')).not.toBeNull()
  })

  it('a rejected refresh is terminal: unauthorized event, storage cleared, no further requests', async () => {
    const { backend, storage, make, control, scheduler } = setup()
    const issued = backend.issueTokens(1, { accessTtlSeconds: -10 })
    backend.revokeRefresh(issued.refresh)
    storage.setItem('unit:auth', JSON.stringify(issued))
    const auth = make()
    const events: ChatError[] = []
    auth.on('unauthorized', e => events.push(e))
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'unauthorized' })
    expect(events).toHaveLength(1)
    expect(events[0]?.code).toBe('unauthorized')
    expect(auth.getState().status).toBe('unauthorized')
    // Tokens gone; a token-free tombstone tells other tabs why.
    expect(JSON.parse(storage.getItem('unit:auth') ?? 'null')).toEqual({ ended: 'unauthorized' })
    const calls = control.calls
    await Promise.allSettled(Array.from({ length: 5 }, () => auth.getAccessToken()))
    await scheduler.advance(600_000)
    expect(control.calls).toBe(calls)
    expect(scheduler.pending).toBe(0)
  })

  it('discards unreadable stored data and rejects malformed setTokens with a typed error', () => {
    const { make, storage } = setup()
    storage.setItem('unit:auth', '{"access":"garbage"}')
    const auth = make()
    expect(auth.getState().status).toBe('anonymous')
    expect(storage.getItem('unit:auth')).toBeNull()
    expect(() => auth.setTokens({ access: 'not-a-jwt' })).toThrow(ChatError)
    expect(auth.getState().status).toBe('anonymous')
  })

  it('setTokens without a refresh token: valid until expiry, then unauthorized without a request', async () => {
    const { auth, backend, control, scheduler } = setup()
    const { access } = backend.issueTokens(2, { accessTtlSeconds: 120 })
    auth.setTokens({ access })
    expect(auth.getState().userId).toBe('2')
    expect(await auth.getAccessToken()).toBe(access)
    await scheduler.advance(120_000)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'unauthorized' })
    expect(control.calls).toBe(0)
  })

  it('logout clears memory and storage and cancels the refresh timer', async () => {
    const { auth, storage, scheduler } = setup()
    await auth.login('student@example.com', 'student123')
    expect(scheduler.pending).toBe(1)
    await auth.logout()
    expect(auth.getState()).toEqual({ status: 'anonymous', user: null, userId: null, expiresAt: null })
    expect(storage.getItem('unit:auth')).toBeNull()
    expect(scheduler.pending).toBe(0)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' })
  })

  it('a refresh answer arriving after logout is ignored', async () => {
    const { auth, scheduler, storage } = setup({}, { accessTtlSeconds: 1 })
    await auth.login('student@example.com', 'student123')
    await scheduler.advance(2000)
    const pending = auth.refresh()
    await auth.logout()
    await pending.catch(() => {})
    expect(auth.getState().status).toBe('anonymous')
    expect(storage.getItem('unit:auth')).toBeNull()
  })

  it('diagnosis: a locally valid token that the server rejects is refreshed once, then unauthorized', async () => {
    const { auth, backend } = setup()
    await auth.login('student@example.com', 'student123')
    const foreign = createChatBackend({ secret: 'other', now: () => Date.UTC(2026, 0, 1) }).issueTokens(1)
    const { refresh } = backend.issueTokens(1)
    auth.setTokens({ access: foreign.access, refresh })
    expect(await auth.diagnoseHandshakeFailure(foreign.access)).toBe('refreshed')
    expect(backend.stats.meRequests).toBe(1)
    expect(backend.stats.refreshes).toBe(1)
    expect(await auth.diagnoseHandshakeFailure(foreign.access)).toBe('refreshed')
    expect(backend.stats.meRequests).toBe(1)
  })

  it('diagnosis: a token issued by a diagnosis refresh that still gets 401 is terminal (no loop)', async () => {
    const { auth, backend } = setup()
    await auth.login('student@example.com', 'student123')
    const foreign = createChatBackend({ secret: 'other', now: () => Date.UTC(2026, 0, 1) }).issueTokens(1)
    auth.setTokens({ access: foreign.access, refresh: backend.issueTokens(1).refresh })
    expect(await auth.diagnoseHandshakeFailure(foreign.access)).toBe('refreshed')
    const fresh = await auth.getAccessToken()
    // The server now rejects every access token it issued (secret rotated), refresh still works.
    backend.configure({ secret: 'rotated' })
    const events: ChatError[] = []
    auth.on('unauthorized', e => events.push(e))
    expect(await auth.diagnoseHandshakeFailure(fresh)).toBe('unauthorized')
    expect(events).toHaveLength(1)
    expect(auth.getState().status).toBe('unauthorized')
  })
})
