/**
 * A storage that starts throwing on every access (the browser blocks it) tells the session nothing:
 * it is not a logout. A refresh then keeps the user signed in, and a message queued meanwhile is
 * delivered once.
 */
import { describe, expect, it } from 'vitest'
import { createFaultStorage } from '../support/fault-storage'
import { clientFixture, createManualSignals, live, logShape, makeClient, settled, until, USERS } from './helpers'

const { boot, track } = clientFixture()

describe('a storage that throws on every access after sign-in', () => {
  it('keeps the session through a refresh and delivers the queued message once', async () => {
    const srv = await boot()
    const storage = createFaultStorage()
    const signals = createManualSignals()
    const client = track(makeClient(srv, { storage, signals }))
    await client.auth.login(USERS.student.email, USERS.student.password)
    const chat = client.conversation(2)
    await until(chat, live)

    storage.set('broken')
    signals.setOnline(false)
    expect(chat.send('hi').ok).toBe(true)
    await client.auth.refresh()
    expect(client.auth.getState()).toMatchObject({ status: 'authenticated', userId: '1' })

    signals.setOnline(true)
    await until(chat, s => settled(s) && s.messages.length === 1, 'delivered')
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'hi']])
  })
})

describe('a refresh while storage is blocked', () => {
  it('never adopts the rotated-away pair left in storage once it is readable again, and repairs it', async () => {
    const srv = await boot()
    const storage = createFaultStorage()
    const client = track(makeClient(srv, { storage }))
    await client.auth.login(USERS.student.email, USERS.student.password)
    const before = JSON.parse(storage.backing.peek('vrc:auth') ?? '{}') as { refresh?: string }

    storage.set('broken')
    await client.auth.refresh()
    storage.set('ok')
    // the stored pair is the one the server just revoked
    expect((JSON.parse(storage.backing.peek('vrc:auth') ?? '{}') as { refresh?: string }).refresh).toBe(before.refresh)

    await client.auth.refresh()
    expect(client.auth.getState().status).toBe('authenticated')
    const after = JSON.parse(storage.backing.peek('vrc:auth') ?? '{}') as { refresh?: string }
    expect(after.refresh).not.toBe(before.refresh)
    const chat = client.conversation(2)
    await until(chat, live)
  })
})
