/**
 * Adopting a closed tab's outbox when the live tab's storage refuses writes (quota): the adoption
 * counts only once persisted, so the orphan is stored exactly once, and a refused claim costs no
 * reconnect.
 */
import { describe, expect, it } from 'vitest'
import { createWebStorage } from '../../src/core/persistence/storage'
import type { ChatServer } from '../../src/testing'
import { clientFixture, createManualSignals, live, makeClient, settled, until, USERS, waitFor } from './helpers'

const { boot, track } = clientFixture()
const HEARTBEAT_MS = 500

/**
 * A `localStorage` look-alike shared by every tab of the test; while `full`, every `setItem` throws
 * `QuotaExceededError` as a full origin does. Counts the heartbeat writes of each owner.
 */
function sharedLocalStorage(): Storage & { full: boolean, beats: Map<string, number>, closed: Set<string> } {
  const map = new Map<string, string>()
  const beats = new Map<string, number>()
  const closed = new Set<string>()
  const storage = {
    full: false,
    beats,
    closed,
    get length() {
      return map.size
    },
    key: (i: number) => [...map.keys()][i] ?? null,
    clear: () => map.clear(),
    getItem: (key: string) => map.get(key) ?? null,
    setItem(key: string, value: string) {
      const owner = /:owner:(.+)$/.exec(key)?.[1]
      if (owner !== undefined) beats.set(owner, (beats.get(owner) ?? 0) + 1)
      if (storage.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      map.set(key, String(value))
    },
    removeItem: (key: string) => {
      // A heartbeat key removed while writes work: its owner was destroyed (not a refused write's cleanup).
      const owner = /:owner:(.+)$/.exec(key)?.[1]
      if (owner !== undefined && !storage.full) closed.add(owner)
      map.delete(key)
    },
  }
  return storage
}

/** Resolve once every owner still open has written `n` more heartbeats. */
async function heartbeats(storage: ReturnType<typeof sharedLocalStorage>, n: number): Promise<void> {
  const owners = [...storage.beats.keys()].filter(o => !storage.closed.has(o))
  const target = new Map(owners.map(o => [o, (storage.beats.get(o) ?? 0) + n]))
  await waitFor(() => owners.every(o => (storage.beats.get(o) ?? 0) >= (target.get(o) ?? 0)), `${n} heartbeats`)
}

const copies = async (srv: ChatServer, text: string): Promise<number> => (await srv.log(1, 2)).filter(m => m.content === text).length

/** Tab A queues a message offline and closes; its outbox entry stays in `storage` for the others. */
async function closedTabLeaves(srv: ChatServer, storage: Storage | ReturnType<typeof createWebStorage>, text: string): Promise<string> {
  const signals = createManualSignals()
  const tabA = makeClient(srv, { storage, signals, heartbeatMs: HEARTBEAT_MS })
  await tabA.auth.login(USERS.student.email, USERS.student.password)
  const a = tabA.conversation(2)
  await until(a, live)
  signals.setOnline(false)
  const sent = a.send(text)
  if (!sent.ok) throw sent.error
  tabA.destroy()
  return sent.message.id
}

describe('adopting a closed tab\'s outbox while storage refuses writes', () => {
  it('a raw localStorage that throws QuotaExceededError: no resend per heartbeat, stored exactly once when writes work again', async () => {
    const srv = await boot()
    const storage = sharedLocalStorage()
    const tabB = track(makeClient(srv, { storage, heartbeatMs: HEARTBEAT_MS }))
    tabB.auth.setTokens(srv.issueTokens(1))
    const b = tabB.conversation(2)
    await until(b, live)
    await closedTabLeaves(srv, storage, 'left behind')
    expect(storage.getItem('vrc:outbox:1:2')).toContain('left behind')
    storage.full = true
    const handshakes = srv.stats.handshakes
    await heartbeats(storage, 6)
    // the claim could not be persisted: another tab may still take the entry, so this one must not send it
    expect(await copies(srv, 'left behind')).toBe(0)
    expect(srv.stats.handshakes).toBe(handshakes)
    expect(b.getSnapshot().messages).toEqual([])

    storage.full = false
    await waitFor(async () => (await copies(srv, 'left behind')) === 1, 'the orphan stored')
    await until(b, s => settled(s) && s.messages.length === 1, 'B shows it sent')
    await heartbeats(storage, 4)
    expect(await copies(srv, 'left behind')).toBe(1)
    // one reconnect, for the replay that settles the adopted message
    expect(srv.stats.handshakes).toBe(handshakes + 1)
    expect(storage.getItem('vrc:outbox:1:2')).toBeNull()
  })

  it('createWebStorage over a full origin: two live tabs, the closed tab message stored exactly once', async () => {
    const srv = await boot()
    const shared = sharedLocalStorage()
    const web = () => createWebStorage('local', { window: { localStorage: shared } })
    const tabs = [web(), web()].map(storage => track(makeClient(srv, { storage, heartbeatMs: HEARTBEAT_MS })))
    const convs = tabs.map((tab) => {
      tab.auth.setTokens(srv.issueTokens(1))
      return tab.conversation(2)
    })
    await Promise.all(convs.map(c => until(c, live)))
    await closedTabLeaves(srv, web(), 'orphan')
    shared.full = true
    const handshakes = srv.stats.handshakes
    await heartbeats(shared, 6)
    expect(await copies(srv, 'orphan')).toBe(0)
    expect(srv.stats.handshakes).toBe(handshakes)

    shared.full = false
    await waitFor(async () => (await copies(srv, 'orphan')) === 1, 'the orphan stored')
    await heartbeats(shared, 4)
    expect(await copies(srv, 'orphan')).toBe(1)
    expect(srv.stats.handshakes).toBe(handshakes + 1)
    const shown = convs.map(c => c.getSnapshot().messages.map(m => [m.content, m.status]))
    expect(shown).toEqual([[['orphan', 'sent']], [['orphan', 'sent']]])
  })

  it('a live tab whose outbox writes fail leaves no stale copy a later tab would resend', async () => {
    const srv = await boot()
    const storage = sharedLocalStorage()
    // a message that gave up earlier keeps the outbox from ever being empty (an empty one is removed, which never fails)
    storage.setItem('vrc:outbox:1:2', JSON.stringify([{ id: 'gone:1', owner: 'gone', content: 'gave up', createdAt: Date.now(), status: 'failed', priorOccurrences: null, error: 'max_attempts' }]))
    const signals = createManualSignals()
    const warnings: string[] = []
    const logger = { warn: (message: string) => void warnings.push(message) }
    const tabA = makeClient(srv, { storage, signals, heartbeatMs: HEARTBEAT_MS, logger })
    await tabA.auth.login(USERS.student.email, USERS.student.password)
    const a = tabA.conversation(2)
    await until(a, live)
    signals.setOnline(false)
    a.send('first')
    expect(storage.getItem('vrc:outbox:1:2')).toContain('"queued"')
    storage.full = true
    signals.setOnline(true)
    await until(a, s => s.status === 'live' && s.messages.some(m => m.content === 'first' && m.status === 'sent'), 'A sent it')
    // reported once, not per refused write
    expect(warnings.filter(w => w.includes('outbox not saved'))).toHaveLength(1)
    storage.full = false
    tabA.destroy()
    const tabB = track(makeClient(srv, { storage, heartbeatMs: HEARTBEAT_MS }))
    tabB.auth.setTokens(srv.issueTokens(1))
    const b = tabB.conversation(2)
    await until(b, s => settled(s) && s.messages.some(m => m.content === 'first'), 'B replayed')
    await heartbeats(storage, 2)
    expect(await copies(srv, 'first')).toBe(1)
    // A adopted the message that gave up; its close saved it once writes worked again, so B adopts it in turn.
    expect(b.getSnapshot().messages.map(m => [m.content, m.status])).toEqual([['first', 'sent'], ['gave up', 'failed']])
  })
})
