/**
 * Logout with one session shared by two tabs, after that session expired: tab B hears the logout,
 * signs out too and removes its own queued messages, so no unsent text stays in the shared storage.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { createInProcessLocks } from '../../src/core/cross-tab'
import { clientFixture, createManualSignals, live, makeClient, until, waitFor } from './helpers'

const { boot, track } = clientFixture()

describe('logout after the shared session expired', () => {
  it('removes the queued messages of the other tab of that session', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const storageKey = `vrc${Math.random().toString(36).slice(2)}`
    const locks = createInProcessLocks()
    const signalsB = createManualSignals()
    const tabA = track(makeClient(srv, { storage, storageKey, crossTab: true, locks }))
    const tabB = track(makeClient(srv, { storage, storageKey, crossTab: true, locks, signals: signalsB }))
    const issued = srv.issueTokens(1, { accessTtlSeconds: 4 })
    tabA.auth.setTokens(issued)
    await waitFor(() => tabB.auth.getState().status === 'authenticated', 'B shares the session')
    const b = tabB.conversation(2)
    await until(b, live)
    signalsB.setOnline(false)
    expect(b.send('private draft').ok).toBe(true)
    expect(storage.getItem(`${storageKey}:outbox:1:2`)).toContain('private draft')

    // The session ends on the server; both tabs learn it is over.
    srv.revokeRefresh(issued.refresh)
    await waitFor(() => tabA.auth.getState().status === 'unauthorized' && tabB.auth.getState().status === 'unauthorized', 'the session to be rejected in both tabs', 8000)

    await tabA.auth.logout()
    // The broadcast is asynchronous: B has had it once the stored text is gone (it never goes).
    await waitFor(() => storage.getItem(`${storageKey}:outbox:1:2`) === null, 'the queued text to leave the storage', 3000)
  })
})
