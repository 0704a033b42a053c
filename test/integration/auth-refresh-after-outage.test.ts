/**
 * After a long outage the refresh backoff sits at its ceiling (up to a minute). When the network is
 * back, an expired session must not wait that out: a caller asking for a token (every reconnect
 * does) or the environment's online signal gets one attempt at once. Storms stay impossible: a
 * burst of callers makes one request, and a server that answers 5xx keeps the whole backoff.
 * Fake clock driving the real protocol backend (pure timing).
 */
import { describe, expect, it } from 'vitest'
import { createManualSignals } from '../../src/testing'
import type { FetchLike } from '../../src/core/types'
import { backendFetch, createAuthHarness } from '../unit/auth-harness'
import { waitFor } from '../support/wait'

const OUTAGE_MS = 30 * 60_000

describe('refresh backoff once the network is back', () => {
  it('an expired session is refreshed as soon as a caller asks for a token, not up to 60 s later', async () => {
    const { auth, control, scheduler } = createAuthHarness({}, { accessTtlSeconds: 300 })
    await auth.login('student@example.com', 'student123')

    // The token expires during the outage; scheduled refreshes fail and back off to the ceiling.
    control.offline = true
    await scheduler.advance(OUTAGE_MS)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'network' })

    control.offline = false
    const backAt = scheduler.now()
    let usableAfterMs: number | null = null
    for (let waited = 0; waited <= 60_000; waited += 1000) {
      const ok = await auth.getAccessToken().then(() => true, () => false)
      if (ok) {
        usableAfterMs = scheduler.now() - backAt
        break
      }
      await scheduler.advance(1000)
    }
    // At most one poll late (a failed try just before the network came back spaces the next); was 30-60 s.
    expect(usableAfterMs).not.toBeNull()
    expect(usableAfterMs).toBeLessThanOrEqual(2000)
  })

  it('a burst of callers makes at most one refresh request per try, all get the same token', async () => {
    const { auth, control, scheduler } = createAuthHarness({}, { accessTtlSeconds: 300 })
    await auth.login('student@example.com', 'student123')
    control.offline = true
    await scheduler.advance(OUTAGE_MS)

    // Still offline: a burst costs at most one request.
    let before = control.calls
    await Promise.allSettled(Array.from({ length: 10 }, () => auth.getAccessToken()))
    expect(control.calls - before).toBeLessThanOrEqual(1)

    control.offline = false
    let tokens: string[] = []
    for (let tries = 0; tries < 3 && tokens.length === 0; tries++) {
      before = control.calls
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => auth.getAccessToken()))
      expect(control.calls - before).toBeLessThanOrEqual(1)
      if (results.every(r => r.status === 'fulfilled')) tokens = results.map(r => r.value)
      else await scheduler.advance(1000)
    }
    expect(tokens).toHaveLength(10)
    expect(new Set(tokens).size).toBe(1)
  })

  it('a server answering 5xx keeps the whole backoff: callers polling every second send nothing extra', async () => {
    const harness = createAuthHarness({}, { accessTtlSeconds: 300 })
    const { fetch: real, control } = backendFetch(harness.backend)
    const failing = { on: false }
    const fetch: FetchLike = async (url, init) => {
      if (failing.on && url.endsWith('/api/auth/token/refresh/')) {
        control.calls++
        const text = '{"detail":"unavailable"}'
        return { ok: false, status: 503, json: async () => JSON.parse(text) as unknown, text: async () => text }
      }
      return real(url, init)
    }
    const auth = harness.make({ fetch })
    await auth.login('student@example.com', 'student123')
    failing.on = true
    await harness.scheduler.advance(OUTAGE_MS)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'http' })

    // At the ceiling the next retry is 30-60 s away: 20 s of polling sees at most that one request.
    const before = control.calls
    for (let i = 0; i < 20; i++) {
      await auth.getAccessToken().catch(() => {})
      await harness.scheduler.advance(1000)
    }
    expect(control.calls - before).toBeLessThanOrEqual(1)
  })

  it('the online signal refreshes an expired session at once, before anyone asks', async () => {
    const signals = createManualSignals()
    const { auth, control, scheduler } = createAuthHarness({ signals }, { accessTtlSeconds: 300 })
    await auth.login('student@example.com', 'student123')
    signals.setOnline(false)
    control.offline = true
    await scheduler.advance(OUTAGE_MS)
    const expired = auth.getState().expiresAt ?? 0
    expect(expired).toBeLessThan(scheduler.now())

    control.offline = false
    const before = control.calls
    const at = scheduler.now()
    signals.setOnline(true)
    await scheduler.advance(0)
    // No fake time passes: the refresh starts on the signal itself. (The backend signs tokens with
    // real async crypto, so its answer may need a few real event-loop turns on a loaded machine.)
    await waitFor(() => auth.getState().status === 'authenticated' && (auth.getState().expiresAt ?? 0) > scheduler.now(), 'refreshed on the online signal')
    expect(scheduler.now()).toBe(at)
    expect(control.calls - before).toBe(1)
    expect(auth.getState()).toMatchObject({ status: 'authenticated' })
    expect(auth.getState().expiresAt ?? 0).toBeGreaterThan(scheduler.now())
    await expect(auth.getAccessToken()).resolves.toBeTypeOf('string')
    expect(control.calls - before).toBe(1)
  })
})
