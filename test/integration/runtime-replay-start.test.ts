/**
 * The wait for a replay's first frame (the protocol has no end marker, and an empty conversation
 * sends nothing): an empty conversation goes live quickly, a slow history is never taken for an
 * empty one, and history that comes after an early end continues the replay on the same socket.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ConnectionTransition, Conversation, ReplaySummary, StorageAdapter } from '../../src/core/types'
import { createMemoryStore, type ChatServer } from '../../src/testing'
import { clientFixture, live, loggedIn, logShape, settled, shape, until, waitFor } from './helpers'

const { boot, track } = clientFixture()

const QUIET = 300

/** Every transition and replay of `conv`, and whether a subscriber ever saw it live and empty. */
function watch(conv: Conversation) {
  const transitions: ConnectionTransition[] = []
  const replays: ReplaySummary[] = []
  const seen = { emptyLive: false }
  conv.on('transition', t => transitions.push(t))
  conv.on('replay', r => replays.push(r))
  conv.subscribe(() => {
    const s = conv.getSnapshot()
    if (s.status === 'live' && s.messages.length === 0) seen.emptyLive = true
  })
  /** Ms from the socket's open to the first `live`. */
  const openToLive = (): number => {
    const open = transitions.find(t => t.reason === 'open')?.at ?? Number.NaN
    return (transitions.find(t => t.to === 'live')?.at ?? Number.NaN) - open
  }
  return { transitions, replays, seen, openToLive }
}

async function open(srv: ChatServer, storage: StorageAdapter, peer = 2) {
  const client = track(await loggedIn(srv, 'student', { storage, replayQuietMs: QUIET }))
  const handshakes = srv.stats.handshakes
  const conv = client.conversation(peer)
  return { client, conv, watched: watch(conv), handshakes: () => srv.stats.handshakes - handshakes }
}

describe('first frame of a replay', () => {
  it('an empty conversation: live after the default wait on the first open, one quiet period after it on the next', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const first = await open(srv, storage)
    await until(first.conv, live)
    // nothing known yet: two quiet periods past the quiet period
    expect(first.watched.openToLive()).toBeGreaterThanOrEqual(3 * QUIET - 10)
    expect(first.watched.transitions.find(t => t.to === 'live')?.reason).toBe('no_history')
    first.client.destroy()

    const again = await open(srv, storage)
    await until(again.conv, live)
    expect(again.watched.openToLive()).toBeGreaterThanOrEqual(QUIET - 10)
    expect(again.watched.openToLive()).toBeLessThan(3 * QUIET - 10)
    expect(again.watched.replays).toMatchObject([{ frames: 0, firstFrameMs: null, inserted: 0 }])
    expect(again.handshakes()).toBe(1)

    // what the replays showed is the user's data: a logout removes it
    expect(storage.getItem('vrc:replay:1')).not.toBeNull()
    await again.client.auth.logout()
    expect(storage.getItem('vrc:replay:1')).toBeNull()
  })

  it.each(['first open', 'reopen'] as const)('10 000 messages behind a 400 ms history read (%s): one connection, never an empty live view', async (when) => {
    const store = createMemoryStore()
    const base = Date.now() - 86_400_000
    for (let i = 0; i < 10_000; i++) await store.append({ sender_id: i % 2 ? 1 : 2, reciever_id: i % 2 ? 2 : 1, content: `m${i}`, createdAt: base + i, is_read: false })
    const srv = await boot({ store, historyReadDelayMs: 400 })
    const storage = createMemoryStorage()
    if (when === 'reopen') {
      const before = await open(srv, storage)
      await until(before.conv, x => live(x) && x.messages.length === 10_000, 'history', 20_000)
      before.client.destroy()
    }
    const { conv, watched, handshakes } = await open(srv, storage)
    const snap = await until(conv, x => live(x) && x.messages.length === 10_000, 'history', 20_000)
    expect(snap.messages[0]?.content).toBe('m0')
    expect(snap.messages.at(-1)?.content).toBe('m9999')
    expect(watched.seen.emptyLive).toBe(false)
    expect(handshakes()).toBe(1)
    expect(watched.transitions.map(t => t.reason)).not.toContain('resync')
    expect(watched.replays).toHaveLength(1)
    expect(watched.replays[0]).toMatchObject({ frames: 10_000, inserted: 10_000 })
    expect(watched.replays[0]?.firstFrameMs).toBeGreaterThanOrEqual(400)
  })
})

/**
 * The student opened the conversation while it was empty (so its next replay is expected empty);
 * meanwhile the peer wrote `text`, and the server now takes `delayMs` to read the history.
 */
async function emptyThenPeerWrote(text: string, delayMs: number): Promise<{ srv: ChatServer, storage: StorageAdapter }> {
  const srv = await boot()
  const storage = createMemoryStorage()
  const first = await open(srv, storage)
  await until(first.conv, live)
  first.client.destroy()
  const parent = track(await loggedIn(srv, 'parent'))
  const p = parent.conversation(1)
  await until(p, live)
  p.send(text)
  await until(p, settled)
  srv.configure({ historyReadDelayMs: delayMs })
  return { srv, storage }
}

describe('history after the replay ended', () => {
  it('an empty end followed by the history on the same socket continues that replay: one connection', async () => {
    const { srv, storage } = await emptyThenPeerWrote('while you were away', 1500)

    const { conv, watched, handshakes } = await open(srv, storage)
    const snap = await until(conv, x => live(x) && x.messages.length === 1, 'late history', 8000)
    expect(shape(snap)).toEqual([['2', 'while you were away']])
    expect(snap.messages[0]?.serverTime).toBe(true)
    expect(handshakes()).toBe(1)
    // (the conversation started connecting before these listeners were added)
    expect(watched.transitions.map(t => [t.from, t.to, t.reason])).toEqual([
      ['connecting', 'syncing', 'open'],
      ['syncing', 'live', 'no_history'],
      ['live', 'syncing', 'late_history'],
      ['syncing', 'live', 'quiet'],
    ])
    expect(watched.replays).toMatchObject([{ frames: 0 }, { frames: 1, inserted: 1 }])
    expect(watched.replays[1]?.firstFrameMs).toBeGreaterThanOrEqual(1500)
  })

  it('a send written after the early end makes late history a resync: a second connection, the send stored once', async () => {
    const { srv, storage } = await emptyThenPeerWrote('earlier', 1000)

    const { conv, watched, handshakes } = await open(srv, storage)
    conv.on('transition', (t) => {
      if (t.to === 'live' && t.reason === 'no_history') conv.send('written into the early end')
    })
    const snap = await until(conv, x => settled(x) && x.messages.length === 2, 'resynced', 10_000)
    await waitFor(async () => (await srv.log(1, 2)).length === 2, 'stored')
    expect(shape(snap)).toEqual(logShape(await srv.log(1, 2)))
    expect(logShape(await srv.log(1, 2))).toEqual([['2', 'earlier'], ['1', 'written into the early end']])
    expect(watched.transitions.map(t => t.reason)).toContain('resync')
    expect(watched.transitions.map(t => t.reason)).not.toContain('late_history')
    expect(handshakes()).toBe(2)
  })
})
