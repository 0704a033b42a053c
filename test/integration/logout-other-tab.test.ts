/**
 * `client.auth.logout()` in one tab removes the outbox keys of the user from the
 * shared `storage`, including the queued messages of another tab of the same user that keeps its
 * own session (separate `tokenStorage`). That tab's messages then survive only in its memory: a
 * reload (or closing it) loses them.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { createInProcessLocks } from '../../src/core/cross-tab'
import { clientFixture, createManualSignals, live, logShape, makeClient, settled, until, USERS, waitFor } from './helpers'

const { boot, track } = clientFixture()

describe('logout in tab A while tab B of the same user (own token storage) has queued messages', () => {
  it('B\'s queued message stays in the shared storage and is delivered after B reloads', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const signalsB = createManualSignals()
    const tabA = track(makeClient(srv, { storage, tokenStorage: createMemoryStorage() }))
    const tabB = makeClient(srv, { storage, tokenStorage: createMemoryStorage(), signals: signalsB })
    await tabA.auth.login(USERS.student.email, USERS.student.password)
    await tabB.auth.login(USERS.student.email, USERS.student.password)
    const a = tabA.conversation(2)
    const b = tabB.conversation(2)
    await Promise.all([until(a, live), until(b, live)])

    signalsB.setOnline(false)
    b.send('queued in B')
    expect(storage.getItem('vrc:outbox:1:2')).toContain('queued in B')

    // Tab A signs out; tab B is still signed in (its own session) and still shows the queued message.
    await tabA.auth.logout()
    expect(tabB.auth.getState().status).toBe('authenticated')
    expect(b.getSnapshot().messages.map(m => m.content)).toEqual(['queued in B'])
    expect(storage.getItem('vrc:outbox:1:2')).toContain('queued in B')

    // B reloads: the new page (same storage, same user) delivers what B queued.
    tabB.destroy()
    const reloaded = track(makeClient(srv, { storage }))
    await reloaded.auth.login(USERS.student.email, USERS.student.password)
    const r = reloaded.conversation(2)
    await until(r, x => settled(x) && x.messages.length === 1, 'B\'s message delivered after the reload', 5000)
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'queued in B']])
  })
})

describe('logout with one session shared by two tabs', () => {
  it('tab B hears the logout and removes its own queued messages too; nothing is sent after the next login', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const storageKey = `vrc${Math.random().toString(36).slice(2)}`
    const locks = createInProcessLocks()
    const signalsB = createManualSignals()
    const tabA = track(makeClient(srv, { storage, storageKey, crossTab: true, locks }))
    const tabB = track(makeClient(srv, { storage, storageKey, crossTab: true, locks, signals: signalsB }))
    await tabA.auth.login(USERS.student.email, USERS.student.password)
    await waitFor(() => tabB.auth.getState().status === 'authenticated', 'B shares the session')
    const b = tabB.conversation(2)
    await until(b, live)
    signalsB.setOnline(false)
    b.send('queued in B')
    expect(storage.getItem(`${storageKey}:outbox:1:2`)).toContain('queued in B')

    await tabA.auth.logout()
    await waitFor(() => tabB.auth.getState().status === 'anonymous', 'B signed out by the broadcast')
    expect(storage.getItem(`${storageKey}:outbox:1:2`)).toBeNull()
    expect(storage.getItem(`${storageKey}:peers:1`)).toBeNull()

    signalsB.setOnline(true)
    await tabA.auth.login(USERS.student.email, USERS.student.password)
    const a = tabA.conversation(2)
    await until(a, settled)
    expect(await srv.log(1, 2)).toEqual([])
  })
})
