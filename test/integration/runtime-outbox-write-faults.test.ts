/**
 * The outbox under storage that refuses writes or every access (`localStorage` blocked, then back):
 * a refused save is tried again, a send whose stored copy still says `queued` is not written until
 * that copy is updated, and an outbox that could not be read is never overwritten. Real server.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ChatServer } from '../../src/testing'
import { createFaultStorage } from '../support/fault-storage'
import { clientFixture, createManualSignals, live, makeClient, settled, until, USERS, waitFor } from './helpers'

const { boot, track } = clientFixture()
const HEARTBEAT_MS = 200
const KEY = 'vrc:outbox:1:2'

/** `createFaultStorage` that also counts heartbeat writes, refused ones included. */
function faultStorage() {
  const inner = createFaultStorage()
  const storage = {
    ...inner,
    beats: 0,
    setItem(key: string, value: string) {
      if (key.includes(':owner:')) storage.beats++
      inner.setItem(key, value)
    },
  }
  return storage
}

const copies = async (srv: ChatServer, text: string): Promise<number> => (await srv.log(1, 2)).filter(m => m.content === text).length

/** A tab of user 1 (conversation with 2) over `storage`; tokens live apart, so only the outbox sees the faults. */
async function tab(srv: ChatServer, storage: ReturnType<typeof faultStorage>, online = true) {
  const signals = createManualSignals()
  signals.setOnline(online)
  const client = track(makeClient(srv, { storage, tokenStorage: createMemoryStorage(), signals, heartbeatMs: HEARTBEAT_MS }))
  client.auth.setTokens(srv.issueTokens(1))
  return { client, signals, conv: client.conversation(2) }
}

describe('outbox writes that storage refused', () => {
  it('are saved when the page closes once storage works again: the reload sends the message once', async () => {
    const srv = await boot()
    const storage = faultStorage()
    const a = await tab(srv, storage, false)
    storage.set('broken')
    expect(a.conv.send('hi').ok).toBe(true)
    storage.set('ok')
    a.client.destroy()
    expect(storage.backing.peek(KEY)).toContain('"hi"')

    const b = await tab(srv, storage)
    await until(b.conv, s => settled(s) && s.messages.length === 1, 'the reload sent it')
    expect(await copies(srv, 'hi')).toBe(1)
  })

  it('are saved before the timeline makes way for another account: back on the first, the message goes out once', async () => {
    const srv = await boot()
    const storage = faultStorage()
    const a = await tab(srv, storage, false)
    storage.set('broken')
    a.conv.send('hi')
    storage.set('ok')
    a.client.auth.setTokens(srv.issueTokens(USERS.parent2.id))
    await waitFor(() => a.conv.getSnapshot().messages.length === 0, 'the other account\'s timeline')
    a.client.auth.setTokens(srv.issueTokens(USERS.student.id))
    a.signals.setOnline(true)
    await until(a.conv, s => settled(s) && s.messages.some(m => m.content === 'hi'), 'sent as user 1')
    expect(await copies(srv, 'hi')).toBe(1)
  })
})

describe('a send whose stored copy still says queued', () => {
  it('is not written while storage can neither update nor remove that copy, and goes out once it can', async () => {
    const srv = await boot()
    const storage = faultStorage()
    const a = await tab(srv, storage, false)
    a.conv.send('hi')
    expect(storage.backing.peek(KEY)).toContain('"queued"')
    storage.set('broken')
    a.signals.setOnline(true)
    await until(a.conv, live, 'live')
    // Several heartbeats (each retries the save and the send) later it still waits, visible as queued.
    const seen = storage.beats
    await waitFor(() => storage.beats >= seen + 3, '3 heartbeats')
    expect(await copies(srv, 'hi')).toBe(0)
    expect(a.conv.getSnapshot().messages.map(m => [m.content, m.status])).toEqual([['hi', 'queued']])
    storage.set('ok')
    await until(a.conv, s => settled(s) && s.messages[0]?.status === 'sent', 'sent once storage works')
    expect(await copies(srv, 'hi')).toBe(1)
  })

  it('closed with storage still blocked: the later page that adopts the stale copy stores it once', async () => {
    const srv = await boot()
    const storage = faultStorage()
    const a = await tab(srv, storage, false)
    a.conv.send('hi')
    const ownerA = (JSON.parse(storage.backing.peek(KEY)!) as Array<{ owner: string }>)[0]!.owner
    storage.set('broken')
    a.signals.setOnline(true)
    await until(a.conv, live, 'live')
    // The page closes before storage works again: its heartbeat key stays, stale after 3 periods.
    a.client.destroy()
    storage.set('ok')

    const b = await tab(srv, storage)
    // B takes A's entry once A's heartbeat is stale, then a replay settles it.
    await waitFor(() => !storage.backing.peek(KEY)?.includes(ownerA), 'A\'s entry taken over')
    await until(b.conv, s => settled(s) && s.messages.some(m => m.content === 'hi' && m.status === 'sent'), 'settled')
    expect(await copies(srv, 'hi')).toBe(1)
    expect(b.conv.getSnapshot().messages.map(m => m.content)).toEqual(['hi'])
  })
})

describe('an outbox that storage could not read', () => {
  it('is not overwritten by the timeline rebuilt meanwhile: its message goes out once storage reads again', async () => {
    const srv = await boot()
    const storage = faultStorage()
    const a = await tab(srv, storage, false)
    a.conv.send('hi')
    a.client.auth.setTokens(srv.issueTokens(USERS.parent2.id))
    await waitFor(() => a.conv.getSnapshot().messages.length === 0, 'the other account\'s timeline')
    storage.set('broken')
    a.client.auth.setTokens(srv.issueTokens(USERS.student.id))
    // Rebuilt while storage throws: nothing restored yet, and a new send is accepted.
    expect(a.conv.getSnapshot().messages).toEqual([])
    a.conv.send('new')
    storage.set('ok')
    a.signals.setOnline(true)
    await until(a.conv, s => settled(s) && s.messages.length === 2, 'both sent')
    expect(await copies(srv, 'hi')).toBe(1)
    expect(await copies(srv, 'new')).toBe(1)
  })
})

describe('a stored send found after the timeline already replayed its copy', () => {
  it('is taken for that copy, not sent again', async () => {
    const srv = await boot()
    const storage = faultStorage()
    const a = await tab(srv, storage)
    await until(a.conv, live, 'live')
    a.conv.send('hi')
    // Its pending state is stored; then storage blocks, so the confirmation is never saved.
    storage.set('broken')
    await until(a.conv, s => settled(s) && s.messages[0]?.status === 'sent', 'confirmed')
    a.client.auth.setTokens(srv.issueTokens(USERS.parent2.id))
    await waitFor(() => a.conv.getSnapshot().messages.length === 0, 'the other account\'s timeline')
    // Back on user 1 while storage throws: the replay shows 'hi', the stored pending copy is unread.
    a.client.auth.setTokens(srv.issueTokens(USERS.student.id))
    await until(a.conv, s => settled(s) && s.messages.length === 1, 'replayed')
    storage.set('ok')
    await waitFor(() => storage.backing.peek(KEY) === null, 'the stored copy settled')
    a.conv.reconnect()
    await until(a.conv, s => s.status === 'syncing', 'resyncing')
    await until(a.conv, settled, 'settled')
    expect(await copies(srv, 'hi')).toBe(1)
    expect(a.conv.getSnapshot().messages.map(m => [m.content, m.status])).toEqual([['hi', 'sent']])
  })
})
