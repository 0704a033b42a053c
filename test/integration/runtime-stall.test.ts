/**
 * The replay-stall path: a replay shorter than the last complete one that then goes silent. The
 * client must wait `REPLAY_STALL_MS` after its last frame, reconnect with backoff, and accept the
 * shorter history on the `MAX_SHORT_REPLAYS`-th short replay in a row (the server really lost
 * messages), without losing or doubling own sends.
 */
import { describe, expect, it } from 'vitest'
import { MAX_SHORT_REPLAYS, REPLAY_STALL_MS } from '../../src/core/transport/replay-end'
import type { MessageStore, StoredMessage } from '../../src/testing'
import { clientFixture, live, loggedIn, logShape, settled, shape, statusTimes, until } from './helpers'

const { boot, track } = clientFixture()

/**
 * The memory store with two faults: `loseOnNextAppend(keep)` stores the next message, then drops
 * every row past the first `keep` (a database restored from an older backup); `hideOnNextList(keep)`
 * answers the next history read with only the first `keep` rows (a lagging read replica).
 */
function lossyStore(): MessageStore & { loseOnNextAppend(keep: number): void, hideOnNextList(keep: number): void, appends: string[] } {
  const rows: StoredMessage[] = []
  let nextId = 1
  let lose: number | null = null
  let hide: number | null = null
  const appends: string[] = []
  return {
    appends,
    loseOnNextAppend(keep) {
      lose = keep
    },
    hideOnNextList(keep) {
      hide = keep
    },
    async append(message) {
      const stored = { ...message, id: nextId++ }
      rows.push(stored)
      appends.push(message.content)
      if (lose !== null) {
        rows.splice(lose)
        lose = null
      }
      return { ...stored }
    },
    async list(a, b) {
      const found = rows.filter(m => (m.sender_id === a && m.reciever_id === b) || (m.sender_id === b && m.reciever_id === a)).map(m => ({ ...m }))
      const keep = hide
      hide = null
      return keep === null ? found : found.slice(0, keep)
    },
  }
}

describe('replay stall (a replay shorter than the last one, then silence)', () => {
  it('reconnects until the third short replay, then accepts the shorter history and resends the lost send once', async () => {
    const store = lossyStore()
    const srv = await boot({ store })
    const client = track(await loggedIn(srv, 'student'))
    const s = client.conversation(2)
    await until(s, live)
    for (const text of ['m1', 'm2', 'm3']) s.send(text)
    await until(s, x => settled(x) && x.messages.length === 3, 'three sent')
    // a complete replay of 3: from now on a replay of fewer frames is "short"
    s.reconnect()
    await until(s, x => x.status !== 'live', 'reconnect noticed')
    await until(s, x => settled(x) && x.messages.every(m => m.serverTime), 'replay of 3 confirmed')

    const times = statusTimes(s)
    const handshakesBefore = srv.stats.handshakes
    // m4 is stored, its socket dies with 1011 before the echo, and the server loses m3 and m4
    store.loseOnNextAppend(2)
    srv.crashNext()
    s.send('m4')
    await until(s, x => x.status === 'syncing', 'first short replay')
    // sent while the short replays stall: must wait for the accepted replay, then go out once
    s.send('m5')
    expect(s.getSnapshot().messages.map(m => [m.content, m.status])).toEqual([
      ['m1', 'sent'], ['m2', 'sent'], ['m3', 'sent'], ['m4', 'unknown'], ['m5', 'queued'],
    ])
    const snap = await until(s, x => settled(x) && x.messages.length === 4, 'short history accepted', 25_000)

    expect(shape(snap)).toEqual([['1', 'm1'], ['1', 'm2'], ['1', 'm4'], ['1', 'm5']])
    expect(logShape(await srv.log(1, 2))).toEqual(shape(snap))
    // m4: stored by the crashed socket (then lost), resent exactly once; m5 written exactly once
    expect(store.appends).toEqual(['m1', 'm2', 'm3', 'm4', 'm4', 'm5'])
    expect(new Set(snap.messages.map(m => m.id)).size).toBe(4)

    // one handshake per short replay, none more
    expect(srv.stats.handshakes - handshakesBefore).toBe(MAX_SHORT_REPLAYS)
    const syncs = times.filter(([st]) => st === 'syncing').map(([, t]) => t)
    const wentLive = times.find(([st]) => st === 'live')?.[1] ?? Number.NaN
    expect(syncs).toHaveLength(MAX_SHORT_REPLAYS)
    // each short replay was waited on for REPLAY_STALL_MS (its 2 frames arrive within ms of the open)
    for (let k = 1; k < syncs.length; k++) expect((syncs[k] as number) - (syncs[k - 1] as number)).toBeGreaterThanOrEqual(REPLAY_STALL_MS)
    const elapsed = wentLive - (syncs[0] as number)
    expect(elapsed).toBeGreaterThanOrEqual(MAX_SHORT_REPLAYS * REPLAY_STALL_MS)
    // backoff between attempts is at most 150 ms here (test client), plus connect time on a loaded machine
    expect(elapsed).toBeLessThan(MAX_SHORT_REPLAYS * REPLAY_STALL_MS + 2000)
  })

  it('one short replay, then the whole history again: waits one stall, keeps every message, removes nothing', async () => {
    const store = lossyStore()
    const srv = await boot({ store })
    const parent = track(await loggedIn(srv, 'parent'))
    const p = parent.conversation(1)
    await until(p, live)
    p.send('from parent')
    const client = track(await loggedIn(srv, 'student'))
    const s = client.conversation(2)
    await until(s, x => live(x) && x.messages.length === 1, 'peer message')
    s.send('a')
    s.send('b')
    await until(s, x => settled(x) && x.messages.length === 3, 'sent')
    s.reconnect()
    await until(s, x => x.status !== 'live', 'reconnect noticed')
    await until(s, x => settled(x) && x.messages.every(m => m.serverTime), 'replay of 3 confirmed')
    const before = s.getSnapshot().messages

    const times = statusTimes(s)
    const handshakesBefore = srv.stats.handshakes
    store.hideOnNextList(1)
    s.reconnect()
    await until(s, x => x.status !== 'live', 'reconnect noticed')
    const snap = await until(s, settled, 'live again', 15_000)

    // the same message objects: nothing was removed and re-inserted
    expect(snap.messages).toEqual(before)
    expect(snap.messages.map(m => m.id)).toEqual(before.map(m => m.id))
    expect(srv.stats.handshakes - handshakesBefore).toBe(2)
    const syncs = times.filter(([st]) => st === 'syncing').map(([, t]) => t)
    const wentLive = times.find(([st]) => st === 'live')?.[1] ?? Number.NaN
    expect(syncs).toHaveLength(2)
    const elapsed = wentLive - (syncs[0] as number)
    expect(elapsed).toBeGreaterThanOrEqual(REPLAY_STALL_MS)
    expect(elapsed).toBeLessThan(REPLAY_STALL_MS + 2000)
  })
})
