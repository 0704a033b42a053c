/**
 * A login, `setTokens` or profile update (`me()`) that storage refuses revokes nothing: the stored
 * session other tabs use stays valid and stays in storage; only the refresh of a tab's own pair may
 * replace it with the token-free marker (auth-quota.test.ts). Two tabs = two controllers on one
 * storage, against the real test server.
 */
import { describe, expect, it } from 'vitest'
import { createInProcessLocks } from '../../src/core/cross-tab'
import type { AuthController, AuthDeps } from '../../src/core/auth/auth'
import type { ChatError } from '../../src/core/errors'
import { createMemoryStorage, createWebStorage } from '../../src/core/persistence/storage'
import { authFixture, STUDENT, uniqueKey, waitFor } from './auth-helpers'
import { quotaStorage } from './quota-storage'

const fx = authFixture()

/** Another, independent session of the same user (issued to a controller on its own storage). */
async function freshAccessToken(): Promise<string> {
  const elsewhere = fx.make({ storage: createMemoryStorage(), storageKey: uniqueKey() })
  await elsewhere.login(STUDENT.email, STUDENT.password)
  return elsewhere.getAccessToken()
}

describe.each<[string, (tab: AuthController) => Promise<unknown>]>([
  ['a new login', tab => tab.login(STUDENT.email, STUDENT.password)],
  ['setTokens', async tab => tab.setTokens({ access: await freshAccessToken() })],
  ['the profile update of me()', tab => tab.me()],
])('%s refused by storage while another tab uses the stored session', (_label, action) => {
  it('leaves that session stored and the other tab signed in; this tab keeps its own in memory, warns and emits storage_write_failed', async () => {
    const warnings: unknown[] = []
    const { quota, web, storageKey, locks, a, b } = await sharedSession({ logger: { warn: (message, details) => warnings.push([message, details]) } })
    const errors: ChatError[] = []
    a.on('error', error => errors.push(error))
    const stored = quota.raw(`${storageKey}:auth`)
    const sessionB = await b.getAccessToken()

    quota.state.limit = 100
    await action(a)
    await waitFor(() => errors.length > 0, 'the storage_write_failed event', 2000)
    expect(errors.map(e => e.code)).toEqual(['storage_write_failed'])
    expect(JSON.stringify(warnings)).not.toContain('eyJ')
    expect(quota.raw(`${storageKey}:auth`)).toBe(stored)
    expect(a.getState().status).toBe('authenticated')
    await expect(a.getAccessToken()).resolves.toBeTypeOf('string')

    // B's refresh token was never rotated or revoked: B keeps working with its session.
    await expect(b.getAccessToken()).resolves.toBe(sessionB)
    expect(b.getState().status).toBe('authenticated')
    // A reload still finds that session.
    const reload = fx.make({ storage: web(), storageKey, crossTab: true, locks })
    expect(reload.getState()).toMatchObject({ status: 'authenticated', userId: '1' })
    expect(await reload.getAccessToken()).toBe(sessionB)
    // Its refresh token still works (the server revoked nothing).
    await b.refresh()
    expect(b.getState().status).toBe('authenticated')
  })
})

/** Tab B signs in; tab A, on the same quota-limited storage and locks, adopts B's session. */
async function sharedSession(extraA: Partial<AuthDeps> = {}) {
  const quota = quotaStorage()
  const web = () => createWebStorage('local', { window: { localStorage: quota.storage } })
  const storageKey = uniqueKey()
  const locks = createInProcessLocks()
  const b = fx.make({ storage: web(), storageKey, crossTab: true, locks })
  await b.login(STUDENT.email, STUDENT.password)
  const a = fx.make({ storage: web(), storageKey, crossTab: true, locks, ...extraA })
  await waitFor(() => a.getState().status === 'authenticated', 'tab A to adopt B\'s session', 2000)
  return { quota, web, storageKey, locks, a, b }
}

describe('a tab whose refused login left another tab\'s session stored', () => {
  it('keeps its own session when that other tab\'s refresh is refused too and leaves its marker', async () => {
    const { quota, storageKey, a, b } = await sharedSession()
    quota.state.limit = 100
    await a.login(STUDENT.email, STUDENT.password)
    const sessionA = await a.getAccessToken()

    // B rotates its own pair: storage refuses it, so B's marker replaces B's revoked pair.
    await b.refresh()
    expect(quota.raw(`${storageKey}:auth`)).toContain('unpersisted')
    expect(b.getState().status).toBe('authenticated')
    await expect(a.getAccessToken()).resolves.toBe(sessionA)
    expect(a.getState().status).toBe('authenticated')
    // A's refresh token is its own and still works.
    await a.refresh()
    expect(a.getState().status).toBe('authenticated')
    expect(await a.getAccessToken()).not.toBe(sessionA)
  })
})

describe('a tab whose refused profile write (me()) left the shared session stored', () => {
  it('drops that session without spending it once the other tab rotated it and left its marker', async () => {
    const { quota, a, b } = await sharedSession()
    quota.state.limit = 100
    await a.me()

    // B rotates the shared pair: storage refuses it, B's marker replaces the revoked pair.
    await b.refresh()
    const refreshes = fx.server.stats.refreshes
    await waitFor(() => a.getState().status === 'anonymous', 'tab A to drop the revoked pair', 2000)
    await expect(a.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' })
    expect(fx.server.stats.refreshes).toBe(refreshes)
    expect(b.getState().status).toBe('authenticated')
  })
})
