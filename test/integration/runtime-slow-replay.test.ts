/**
 * The replay has no end marker: a server slow to read the history (or stalling mid-replay) must
 * never make the client take a short replay as complete, wipe its timeline or resend a stored send.
 */
import NodeWebSocket from 'ws'
import { describe, expect, it } from 'vitest'
import type { WebSocketConstructor } from '../../src/core/types'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { clientFixture, live, loggedIn, logShape, makeClient, settled, shape, statusTimes, until, waitFor } from './helpers'

const { boot, track } = clientFixture()

describe('slow history replay', () => {
  it('a history read slower than the quiet period after a drop keeps the timeline and stores a lost echo once', async () => {
    const srv = await boot()
    const parent = track(await loggedIn(srv, 'parent'))
    const p = parent.conversation(1)
    await until(p, live)
    p.send('hello')
    await until(p, settled)
    const c = track(await loggedIn(srv, 'student'))
    const s = c.conversation(2)
    await until(s, x => live(x) && x.messages.length === 1, 'history replayed')
    s.send('hi')
    await until(s, x => settled(x) && x.messages.length === 2)
    // one more replay so that both messages are confirmed by the server's history
    srv.dropAll()
    await until(s, x => x.status !== 'live', 'drop noticed')
    await until(s, x => settled(x) && x.messages.every(m => m.serverTime), 'replay-confirmed')

    srv.configure({ echo: false })
    s.send('x')
    await waitFor(async () => (await srv.log(1, 2)).length === 3, 'x stored')
    srv.configure({ echo: true, historyReadDelayMs: 600 })
    const times = statusTimes(s)
    srv.dropAll()
    await until(s, x => x.status !== 'live', 'drop noticed')
    const snap = await until(s, x => settled(x) && x.messages.length === 3, 'resynced', 8000)

    expect(shape(snap)).toEqual([['2', 'hello'], ['1', 'hi'], ['1', 'x']])
    expect(logShape(await srv.log(1, 2))).toEqual([['2', 'hello'], ['1', 'hi'], ['1', 'x']])
    // the replay really was slower than the quiet period (60 ms): the client waited for it
    const syncing = times.find(([st]) => st === 'syncing')?.[1] ?? Number.NaN
    const wentLive = times.find(([st]) => st === 'live')?.[1] ?? Number.NaN
    expect(wentLive - syncing).toBeGreaterThanOrEqual(500)
  })

  it('after a reload with an unknown send and an empty timeline, waits for a slow first frame instead of resending', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const first = await loggedIn(srv, 'student', { storage })
    const c1 = first.conversation(2)
    await until(c1, live)
    srv.configure({ echo: false })
    c1.send('survives reload')
    await waitFor(async () => (await srv.log(1, 2)).length === 1, 'stored')
    first.destroy()
    srv.configure({ echo: true, historyReadDelayMs: 600 })
    const second = track(makeClient(srv, { storage }))
    const c2 = second.conversation(2)
    expect(c2.getSnapshot().messages.map(m => m.status)).toEqual(['unknown'])
    const snap = await until(c2, settled, 'confirmed by the slow replay', 8000)
    expect(shape(snap)).toEqual([['1', 'survives reload']])
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'survives reload']])
  })

  it('history arriving after an empty early end continues the replay on the same socket', async () => {
    const srv = await boot()
    const parent = track(await loggedIn(srv, 'parent'))
    const p = parent.conversation(1)
    await until(p, live)
    p.send('hello')
    p.send('again')
    await until(p, x => settled(x) && x.messages.length === 2)
    srv.configure({ historyReadDelayMs: 1000 })
    // a fresh client knows nothing: its first-frame wait (3 quiet periods, 180 ms) ends the empty replay first
    const c = track(await loggedIn(srv, 'student'))
    const handshakes = srv.stats.handshakes
    const s = c.conversation(2)
    const times = statusTimes(s)
    const snap = await until(s, x => live(x) && x.messages.length === 2, 'late history taken in', 8000)
    expect(shape(snap)).toEqual([['2', 'hello'], ['2', 'again']])
    expect(snap.messages.every(m => m.serverTime)).toBe(true)
    expect(times.filter(([st]) => st === 'live').length).toBe(2)
    expect(srv.stats.handshakes - handshakes).toBe(1)
  })
})

describe('replay end and the wall clock', () => {
  it('the wall clock going back after a history frame does not hold the replay open', async () => {
    const srv = await boot()
    const peer = track(await loggedIn(srv, 'parent'))
    const pc = peer.conversation(1)
    await until(pc, live)
    pc.send('one stored message')
    await until(pc, settled, 'stored')

    // The default scheduler reads Date.now(): a clock stepped back 60 s (NTP, the user) right after
    // the first history frame was handled.
    let offset = 0
    const scheduler = {
      now: () => Date.now() + offset,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    }
    class ClockStepSocket extends NodeWebSocket {
      constructor(url: string) {
        super(url)
        this.once('message', () => setImmediate(() => {
          offset = -60_000
        }))
      }
    }
    const client = track(await loggedIn(srv, 'student', { scheduler, replayQuietMs: 100, WebSocket: ClockStepSocket as unknown as WebSocketConstructor }))
    const conv = client.conversation(2)
    const start = Date.now()
    await until(conv, s => s.status === 'live' && s.messages.length === 1, 'live after the replay', 5000)
    expect(offset).toBe(-60_000)
    // one quiet period after the step (plus slack), not 60 s
    expect(Date.now() - start).toBeLessThan(2000)
  })
})
