/**
 * Refresh timing for tokens the server issues without `iat`, on a fake clock driving both the
 * client's timers and the real protocol backend's clock.
 */
import { describe, expect, it } from 'vitest'
import { createAuthHarness } from './auth-harness'

describe('tokens without iat', () => {
  it('a 5-minute token with the default 5-minute threshold is refreshed once at half its lifetime, not in a storm', async () => {
    const { auth, backend, scheduler } = createAuthHarness({}, { omitIat: true, accessTtlSeconds: 300 })
    await auth.login('student@example.com', 'student123')
    await scheduler.advance(6_000)
    expect(backend.stats.refreshes).toBe(0)
    await scheduler.advance(150_000 - 6_000)
    expect(backend.stats.refreshes).toBe(1)
    await scheduler.advance(149_000)
    expect(backend.stats.refreshes).toBe(1)
    await scheduler.advance(1_000)
    expect(backend.stats.refreshes).toBe(2)
    expect(auth.getState().status).toBe('authenticated')
  })

  it('the lifetime measured at receipt survives a reload (stored with the session)', async () => {
    const { auth, backend, scheduler, make } = createAuthHarness({}, { omitIat: true, accessTtlSeconds: 300 })
    await auth.login('student@example.com', 'student123')
    await scheduler.advance(60_000)
    auth.destroy()
    const reloaded = make()
    expect(await reloaded.getAccessToken()).toBeTypeOf('string')
    await scheduler.advance(60_000)
    expect(backend.stats.refreshes).toBe(0)
    await scheduler.advance(30_000)
    expect(backend.stats.refreshes).toBe(1)
  })

  it('a freshly issued token that is already due (server clock far behind) backs off instead of refreshing again', async () => {
    const { auth, backend, scheduler } = createAuthHarness({}, { omitIat: true, accessTtlSeconds: 300 }, -600_000)
    await auth.login('student@example.com', 'student123')
    const tokens = new Set<string>()
    for (let i = 0; i < 6; i++) {
      tokens.add(await auth.getAccessToken())
      await scheduler.advance(1_000)
    }
    // Backoff (1 s, 2 s, 4 s ceilings, half-jittered) allows at most 3 refreshes in 6 s, not one per second.
    expect(backend.stats.refreshes).toBeLessThanOrEqual(3)
    expect(tokens.size).toBeLessThanOrEqual(4)
    const after = backend.stats.refreshes
    await scheduler.advance(60_000)
    // Spacing keeps growing: minutes of a due-on-arrival token cost a handful of requests.
    expect(backend.stats.refreshes - after).toBeLessThanOrEqual(5)
    expect(auth.getState().status).toBe('authenticated')
  })
})
