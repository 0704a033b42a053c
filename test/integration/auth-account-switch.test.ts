/**
 * Signing in as someone else in one tab while another tab's refresh is in flight: the refresh
 * result of the previous account must never be paired with the new one (two tabs = two
 * controllers on one storage, against the real test server).
 */
import { describe, expect, it } from 'vitest'
import { createInProcessLocks } from '../../src/core/cross-tab'
import { readClaims } from '../../src/core/auth/jwt'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { AuthController, AuthDeps } from '../../src/core/auth/auth'
import type { FetchLike } from '../../src/core/types'
import { authFixture, uniqueKey, waitFor } from './auth-helpers'

const fx = authFixture()
const PARENT = { email: 'parent@example.com', password: 'parent123' } as const

/** Real fetch whose refresh requests are sent only once `release()` is called. */
function heldRefreshes() {
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  let held = 0
  const fetch: FetchLike = async (url, init) => {
    if (url.endsWith('/api/auth/token/refresh/')) {
      held++
      await gate
    }
    return (globalThis.fetch as FetchLike)(url, init)
  }
  return { fetch, release, get held() { return held } }
}

function stored(storage: ReturnType<typeof createMemoryStorage>, key: string) {
  return JSON.parse(storage.getItem(`${key}:auth`) ?? 'null') as { access: string; refresh: string; user?: { id: string } } | null
}

async function expectUser2Everywhere(tabs: AuthController[], storage: ReturnType<typeof createMemoryStorage>, key: string): Promise<void> {
  for (const tab of tabs) {
    expect(tab.getState()).toMatchObject({ status: 'authenticated', userId: '2', user: { id: '2' } })
    expect(readClaims(await tab.getAccessToken()).user_id).toBe('2')
  }
  const record = stored(storage, key)
  expect(readClaims(record?.access ?? '').user_id).toBe('2')
  expect(record?.user?.id).toBe('2')
}

type SwitchTo2 = (tab: AuthController) => Promise<unknown>

const SWITCHES: Array<[string, SwitchTo2]> = [
  ['login', tab => tab.login(PARENT.email, PARENT.password)],
  ['setTokens', async tab => tab.setTokens(fx.server.issueTokens(2), { id: '2', email: PARENT.email, role: 'parent', first_name: 'Pat', last_name: 'Parent' })],
]

describe.each<[string, () => AuthDeps['locks']]>([
  ['with Web Locks', () => createInProcessLocks()],
  ['without locks (BroadcastChannel only)', () => null],
])('account switch in tab B while tab A refreshes (%s)', (_label, makeLocks) => {
  it.each(SWITCHES)('B %s: A\'s late refresh result is not stored over user 2; both tabs end up as user 2 with user 2\'s token and profile', async (_how, switchTo2) => {
    const storage = createMemoryStorage()
    const storageKey = uniqueKey()
    const held = heldRefreshes()
    const deps: Partial<AuthDeps> = { storage, storageKey, crossTab: true, locks: makeLocks() }
    const a = fx.make({ ...deps, fetch: held.fetch })
    const b = fx.make(deps)
    await a.login('student@example.com', 'student123')
    await waitFor(() => b.getState().userId === '1', 'tab B to adopt user 1', 2000)
    const refreshing = a.refresh()
    await waitFor(() => held.held === 1, 'A\'s refresh to be in flight', 2000)
    await switchTo2(b)
    held.release()
    await refreshing.catch(() => {})
    await waitFor(() => a.getState().userId === '2' && b.getState().userId === '2', 'both tabs on user 2', 3000)
    await expectUser2Everywhere([a, b], storage, storageKey)
  })
})

describe('a refresh queued behind an account switch', () => {
  it('does not spend the new account\'s refresh token for nothing (the new account\'s own refresh still works)', async () => {
    const storage = createMemoryStorage()
    const storageKey = uniqueKey()
    const locks = createInProcessLocks()
    const held = heldRefreshes()
    const deps: Partial<AuthDeps> = { storage, storageKey, crossTab: true, locks }
    const c = fx.make({ ...deps, fetch: held.fetch })
    const a = fx.make(deps)
    const b = fx.make(deps)
    const rejected: unknown[] = []
    for (const tab of [a, b, c]) tab.on('unauthorized', error => rejected.push(error))
    await c.login('student@example.com', 'student123')
    await waitFor(() => a.getState().userId === '1' && b.getState().userId === '1', 'tabs A and B to adopt user 1', 2000)
    // C holds the refresh lock; B's switch to user 2 (an expired token: due at once) and A's refresh queue behind it.
    const cRefresh = c.refresh()
    await waitFor(() => held.held === 1, 'C\'s refresh to be in flight', 2000)
    b.setTokens(fx.server.issueTokens(2, { accessTtlSeconds: -5 }))
    const aRefresh = a.refresh()
    held.release()
    await cRefresh
    await aRefresh.catch(() => {})
    const token = await b.getAccessToken()
    expect(readClaims(token).user_id).toBe('2')
    await waitFor(() => [a, b, c].every(tab => tab.getState().userId === '2'), 'every tab on user 2', 3000)
    expect(rejected).toEqual([])
    await b.refresh()
    expect(b.getState().status).toBe('authenticated')
    expect(rejected).toEqual([])
  })
})

describe('profiles never pair with another user\'s token', () => {
  it('setTokens with a user that is not the token\'s rejects with validation and changes nothing', () => {
    const auth = fx.make()
    const issued = fx.server.issueTokens(1)
    expect(() => auth.setTokens(issued, { id: '2', email: 'parent@example.com', role: 'parent', first_name: 'P', last_name: 'One' }))
      .toThrow(expect.objectContaining({ code: 'validation' }) as Error)
    expect(auth.getState().status).toBe('anonymous')
  })

  it('a stored record pairing user 1\'s tokens with user 2\'s profile loads without that profile', () => {
    const storage = createMemoryStorage()
    const storageKey = uniqueKey()
    const issued = fx.server.issueTokens(1)
    storage.setItem(`${storageKey}:auth`, JSON.stringify({ ...issued, user: { id: '2', email: 'parent@example.com', role: 'parent', first_name: 'P', last_name: 'One' } }))
    const auth = fx.make({ storage, storageKey })
    expect(auth.getState()).toMatchObject({ status: 'authenticated', userId: '1', user: null })
  })
})
