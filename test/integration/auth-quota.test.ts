/**
 * A storage that refuses the rotated token pair (quota full) must not keep the previous pair:
 * after a rotation it is revoked, and a reload or another tab refreshing with it would be logged out.
 * Two tabs = two controllers on one storage, against the real test server.
 */
import { describe, expect, it } from 'vitest'
import { createInProcessLocks } from '../../src/core/cross-tab'
import type { ChatError } from '../../src/core/errors'
import { createWebStorage } from '../../src/core/persistence/storage'
import type { StorageAdapter } from '../../src/core/types'
import { authFixture, STUDENT, uniqueKey, waitFor } from './auth-helpers'
import { quotaStorage } from './quota-storage'

const fx = authFixture()

type Adapters = (real: Storage) => [StorageAdapter, StorageAdapter]

describe.each<[string, number, Adapters]>([
  ['raw localStorage, room for a marker', 100, real => [real, real]],
  ['raw localStorage, no room at all', 0, real => [real, real]],
  ['createWebStorage(\'local\') per tab', 100, real => [createWebStorage('local', { window: { localStorage: real } }), createWebStorage('local', { window: { localStorage: real } })]],
])('refresh while the quota is full (%s)', (_label, limit, adapters) => {
  it('no revoked pair stays in storage; a warning without tokens and a typed error event; the other tab sees no session', async () => {
    const quota = quotaStorage()
    const [storageA, storageB] = adapters(quota.storage)
    const storageKey = uniqueKey()
    const locks = createInProcessLocks()
    const warnings: unknown[] = []
    const a = fx.make({ storage: storageA, storageKey, crossTab: true, locks, logger: { warn: (message, details) => warnings.push([message, details]) } })
    const b = fx.make({ storage: storageB, storageKey, crossTab: true, locks })
    const errors: ChatError[] = []
    a.on('error', error => errors.push(error))
    await a.login(STUDENT.email, STUDENT.password)
    await waitFor(() => b.getState().status === 'authenticated', 'tab B to adopt the login', 2000)
    const old = JSON.parse(quota.raw(`${storageKey}:auth`) ?? 'null') as { access: string; refresh: string }

    quota.state.limit = limit
    await a.refresh()
    const fresh = await a.getAccessToken()
    expect(fresh).not.toBe(old.access)
    expect(a.getState().status).toBe('authenticated')

    const left = quota.raw(`${storageKey}:auth`)
    expect(left === null || (!left.includes(old.refresh) && !left.includes(old.access) && !left.includes(fresh))).toBe(true)
    expect(errors.map(e => e.code)).toEqual(['storage_write_failed'])
    expect(warnings.length).toBeGreaterThan(0)
    expect(JSON.stringify(warnings)).not.toContain('eyJ')

    // Tab B never spends the revoked refresh token: it has no session rather than a stale one.
    const refreshes = fx.server.stats.refreshes
    await waitFor(() => b.getState().status === 'anonymous', 'tab B to drop the stale session', 2000)
    await expect(b.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' })
    expect(fx.server.stats.refreshes).toBe(refreshes)

    // Tab A keeps its session in memory: its rotated refresh token still works.
    await a.refresh()
    expect(a.getState().status).toBe('authenticated')
    expect(await a.getAccessToken()).not.toBe(fresh)

    // Once storage accepts writes again, the session is stored and shared again.
    quota.state.limit = Number.POSITIVE_INFINITY
    await a.refresh()
    const c = fx.make({ storage: storageB, storageKey, crossTab: true, locks })
    expect(c.getState()).toMatchObject({ status: 'authenticated', userId: '1' })
    expect(await c.getAccessToken()).toBe(await a.getAccessToken())
  })
})
