/**
 * A link that stalls longer than the quiet period, again and again, in the middle of a replay (real
 * server, real sockets, through a proxy that holds the server's bytes): the first replay is taken
 * for complete at the first stall, the late frames force one resync, and the next replay waits out
 * the stalls instead of ending early at each of them.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionTransition } from '../../src/core/types'
import { createMemoryStore } from '../../src/testing'
import { startStallProxy, type StallProxy } from '../support/stall-proxy'
import { clientFixture, live, loggedIn, logShape, shape, until, USERS } from './helpers'

const { boot, track } = clientFixture()
let proxy: StallProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

const QUIET = 300
const STALL_MS = 500
const MESSAGES = 1500

describe('a replay behind a link that keeps stalling', () => {
  it('one resync, then the whole history: the quiet period doubled past the stalls', async () => {
    const store = createMemoryStore()
    const start = Date.UTC(2025, 8, 1, 7, 30)
    for (let i = 0; i < MESSAGES; i++) {
      const mine = i % 2 === 0
      await store.append({ sender_id: mine ? USERS.student.id : USERS.parent.id, reciever_id: mine ? USERS.parent.id : USERS.student.id, content: `message number ${i} of a long school year`, createdAt: start + i * 60_000, is_read: true })
    }
    const srv = await boot({ store })
    // About 220 kB of history: five stalls per replay.
    proxy = await startStallProxy(Number(new URL(srv.url).port), { everyBytes: 40_000, stallMs: STALL_MS })
    const client = track(await loggedIn(srv, 'student', { baseUrl: proxy.url, replayQuietMs: QUIET }))
    const handshakes = srv.stats.handshakes
    const conv = client.conversation(USERS.parent.id)
    const transitions: ConnectionTransition[] = []
    conv.on('transition', t => transitions.push(t))

    const snap = await until(conv, s => live(s) && s.messages.length === MESSAGES, 'the whole history', 30_000)
    expect(shape(snap)).toEqual(logShape(await srv.log(USERS.student.id, USERS.parent.id)))
    expect(new Set(snap.messages.map(m => m.id)).size).toBe(MESSAGES)
    expect(srv.stats.handshakes - handshakes).toBe(2)
    expect(transitions.filter(t => t.reason === 'resync')).toHaveLength(1)
  })
})
