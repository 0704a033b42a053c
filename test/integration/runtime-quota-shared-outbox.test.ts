/**
 * Review finding: `createWebStorage().setItem` answers a refused write by removing the stored value
 * and retrying. That is right for a key only this tab writes (the token pair), but the outbox key
 * `vrc:outbox:{self}:{peer}` is shared by every tab of the user (entries carry their owner). A tab
 * whose save hits the quota deletes the other tabs' persisted queued messages; when those tabs
 * reload or close, their messages are gone.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage, createWebStorage } from '../../src/core/storage'
import { clientFixture, createManualSignals, live, logShape, makeClient, settled, until, USERS } from './helpers'

const { boot, track } = clientFixture()

/** A Web Storage whose quota refuses values longer than `state.limit`. */
function quotaStorage() {
  const map = new Map<string, string>()
  const state = { limit: Number.POSITIVE_INFINITY }
  const storage = {
    get length() { return map.size },
    key: (i: number) => [...map.keys()][i] ?? null,
    clear: () => map.clear(),
    getItem: (key: string) => map.get(key) ?? null,
    setItem(key: string, value: string) {
      if (value.length > state.limit) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      map.set(key, String(value))
    },
    removeItem: (key: string) => {
      map.delete(key)
    },
  }
  return { storage: storage as Storage, state, raw: (key: string) => map.get(key) ?? null }
}

describe('review: a refused outbox write in one tab', () => {
  it('does not delete the queued messages another tab of the same user persisted', async () => {
    const srv = await boot()
    const quota = quotaStorage()
    const webStorage = () => createWebStorage('local', { window: { localStorage: quota.storage } })
    const signalsA = createManualSignals()
    const signalsB = createManualSignals()
    const tabA = makeClient(srv, { storage: webStorage(), tokenStorage: createMemoryStorage(), signals: signalsA })
    const tabB = makeClient(srv, { storage: webStorage(), tokenStorage: createMemoryStorage(), signals: signalsB })
    await tabA.auth.login(USERS.student.email, USERS.student.password)
    await tabB.auth.login(USERS.student.email, USERS.student.password)
    const a = tabA.conversation(2)
    const b = tabB.conversation(2)
    await Promise.all([until(a, live), until(b, live)])
    signalsA.setOnline(false)
    signalsB.setOnline(false)

    b.send('persisted by B')
    const stored = quota.raw('vrc:outbox:1:2')
    expect(stored).toContain('persisted by B')

    // The quota is full: B's entry still fits, A's save (B's entry plus A's) does not.
    quota.state.limit = (stored ?? '').length + 10
    a.send('does not fit')
    expect(quota.raw('vrc:outbox:1:2')).toContain('persisted by B')

    // Both tabs close; the next page (quota freed) should deliver what B had persisted.
    tabA.destroy()
    tabB.destroy()
    quota.state.limit = Number.POSITIVE_INFINITY
    const next = track(makeClient(srv, { storage: webStorage() }))
    await next.auth.login(USERS.student.email, USERS.student.password)
    const n = next.conversation(2)
    await until(n, x => settled(x) && x.messages.length >= 1, 'B\'s message delivered by the next page', 5000)
    expect(logShape(await srv.log(1, 2))).toContainEqual(['1', 'persisted by B'])
  })
})
