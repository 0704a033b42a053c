/**
 * What `send()` refuses instead of keeping: a too-long text, and a send past the outbox cap. The
 * persisted outbox is written (and serialised) only when it changed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { OUTBOX_MAX_CHARS, OUTBOX_MAX_ENTRIES } from '../../src/core/persistence/outbox'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { Timeline } from '../../src/core/timeline/timeline'
import { clientFixture, createManualSignals, live, loggedIn, settled, until } from './helpers'

const { boot, track } = clientFixture()
const KEY = 'vrc:outbox:1:2'

/** Memory storage counting the writes of the outbox key. */
function countingStorage() {
  const inner = createMemoryStorage()
  const storage = {
    outboxWrites: 0,
    getItem: (k: string) => inner.getItem(k),
    setItem(k: string, v: string) {
      if (k === KEY) storage.outboxWrites++
      inner.setItem(k, v)
    },
    removeItem: (k: string) => inner.removeItem(k),
  }
  return storage
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('a too-long message', () => {
  it('is refused like an empty one: not in the timeline, not persisted', async () => {
    const srv = await boot()
    const storage = countingStorage()
    const client = track(await loggedIn(srv, 'student', { storage }))
    const conv = client.conversation(2)
    await until(conv, live)
    const result = conv.send('x'.repeat(10_000_000))
    expect(result.ok).toBe(false)
    expect(result.ok ? null : result.error.code).toBe('message_too_long')
    expect(result.ok ? null : result.error.details).toEqual({ length: 10_000_000, max: 5000 })
    expect(result.message).toBeUndefined()
    expect(conv.getSnapshot().messages).toEqual([])
    expect(conv.getSnapshot().hasPending).toBe(false)
    expect(storage.getItem(KEY)).toBeNull()
    expect(storage.outboxWrites).toBe(0)
  })
})

describe('the persisted outbox', () => {
  it('is not serialised again for live frames that leave it unchanged', async () => {
    const srv = await boot()
    const storage = countingStorage()
    // a failed message another (dead) tab left behind: it stays in the outbox the whole time
    storage.setItem(KEY, JSON.stringify([{ id: 'gone:1', owner: 'gone', content: 'y'.repeat(100_000), createdAt: Date.now(), status: 'failed', priorOccurrences: null, error: 'max_attempts' }]))
    const student = track(await loggedIn(srv, 'student', { storage }))
    const s = student.conversation(2)
    await until(s, live)
    expect(s.getSnapshot().messages.map(m => m.status)).toEqual(['failed'])
    // the peer is a bare socket: the only timeline in this process is the student's
    const peer = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/ws/chat/1/?token=${srv.issueTokens(2).access}`)
    await new Promise((resolve, reject) => {
      peer.once('open', resolve)
      peer.once('error', reject)
    })
    const serialise = vi.spyOn(Timeline.prototype, 'outbox')
    const writes = storage.outboxWrites
    for (let i = 0; i < 200; i++) peer.send(JSON.stringify({ message: `m${i}` }))
    await until(s, x => x.messages.length === 201, '200 live messages')
    peer.close()
    expect(serialise.mock.calls.length).toBeLessThanOrEqual(1)
    expect(storage.outboxWrites).toBe(writes)
  })

  it(`caps sends at ${OUTBOX_MAX_ENTRIES} unsent messages: the next is refused (outbox_full), every kept one is persisted and delivered once`, async () => {
    const srv = await boot()
    const storage = countingStorage()
    const signals = createManualSignals()
    const client = track(await loggedIn(srv, 'student', { storage, signals }))
    const conv = client.conversation(2)
    await until(conv, live)
    signals.setOnline(false)
    for (let i = 0; i < OUTBOX_MAX_ENTRIES; i++) expect(conv.send(`q${i}`).ok).toBe(true)
    const over = conv.send('one too many')
    expect(over.ok ? null : over.error.code).toBe('outbox_full')
    expect(over.ok ? null : over.error.details).toMatchObject({ entries: OUTBOX_MAX_ENTRIES, maxEntries: OUTBOX_MAX_ENTRIES })
    expect(over.message).toBeUndefined()
    expect(conv.getSnapshot().messages).toHaveLength(OUTBOX_MAX_ENTRIES)
    expect(JSON.parse(storage.getItem(KEY)!)).toHaveLength(OUTBOX_MAX_ENTRIES)
    signals.setOnline(true)
    await until(conv, x => settled(x) && x.messages.length === OUTBOX_MAX_ENTRIES, 'all delivered')
    expect((await srv.log(1, 2)).map(m => m.content)).toEqual(Array.from({ length: OUTBOX_MAX_ENTRIES }, (_, i) => `q${i}`))
    // delivered: room again
    expect(conv.send('one too many').ok).toBe(true)
  })

  it(`caps the unsent text at ${OUTBOX_MAX_CHARS} characters; discarding a message makes room`, async () => {
    const srv = await boot()
    const signals = createManualSignals()
    const max = OUTBOX_MAX_CHARS / 2
    const client = track(await loggedIn(srv, 'student', { signals, maxMessageLength: max }))
    const conv = client.conversation(2)
    await until(conv, live)
    signals.setOnline(false)
    const first = conv.send('a'.repeat(max))
    expect(conv.send('b'.repeat(max)).ok).toBe(true)
    const over = conv.send('c')
    expect(over.ok ? null : over.error.code).toBe('outbox_full')
    expect(over.ok ? null : over.error.details).toMatchObject({ chars: OUTBOX_MAX_CHARS, maxChars: OUTBOX_MAX_CHARS })
    if (!first.ok) throw first.error
    conv.discard(first.message.id)
    expect(conv.send('c').ok).toBe(true)
  })
})
