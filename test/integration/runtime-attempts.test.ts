/**
 * `maxSendAttempts`: a server that accepts a client's frames but never stores them (a broken
 * database write, a proxy eating frames) must not make a send loop through resends and reconnects
 * forever: after the limit it ends visible as `failed` (`max_attempts`) with retry and discard.
 */
import { describe, expect, it } from 'vitest'
import type { ChatError } from '../../src/core/errors'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ChatMessage, Conversation, WebSocketConstructor } from '../../src/core/types'
import { createMemoryStore } from '../../src/testing'
import type { MessageStore } from '../../src/testing'
import { clientFixture, live, loggedIn, PingCountingSocket, pingsSpanning, settled, until, USERS, waitFor } from './helpers'

const ECHO_TIMEOUT_MS = 200
const PING_MS = 100

const { boot, track } = clientFixture()

/** The memory store, counting every append (one per chat frame the server received); `drop` makes appends store nothing. */
function droppingStore(): MessageStore & { drop: boolean, received: string[] } {
  const inner = createMemoryStore()
  const store = {
    drop: false,
    received: [] as string[],
    async append(message: Parameters<MessageStore['append']>[0]) {
      store.received.push(message.content)
      return store.drop ? { ...message, id: 0 } : inner.append(message)
    },
    list: (a: number, b: number) => inner.list(a, b),
  }
  return store
}

const find = (conv: Conversation, id: string): ChatMessage | undefined => conv.getSnapshot().messages.find(m => m.id === id)
const statusOf = (conv: Conversation, id: string): string | undefined => find(conv, id)?.status
const sendOk = (conv: Conversation, text: string): string => {
  const result = conv.send(text)
  if (!result.ok) throw result.error
  return result.message.id
}

/**
 * Echo off and appends dropped: the server accepts every frame and stores none. One stored message
 * first, so that each replay has a frame and ends after the quiet period (an empty replay while a
 * send awaits proof is waited on for `REPLAY_FIRST_FRAME_MS`).
 */
async function brokenServer(storage = createMemoryStorage(), maxSendAttempts?: number) {
  const store = droppingStore()
  const srv = await boot({ store, pingIntervalMs: PING_MS })
  const client = track(await loggedIn(srv, 'student', {
    echoTimeoutMs: ECHO_TIMEOUT_MS,
    storage,
    WebSocket: PingCountingSocket as unknown as WebSocketConstructor,
    ...(maxSendAttempts === undefined ? {} : { maxSendAttempts }),
  }))
  const conv = client.conversation(2)
  const errors: ChatError[] = []
  conv.on('error', e => errors.push(e))
  await until(conv, live)
  sendOk(conv, 'seed')
  await until(conv, settled, 'seed stored')
  store.received.length = 0
  srv.configure({ echo: false })
  store.drop = true
  return { store, srv, client, conv, errors }
}

/** Resolve once more than `ms` passed on the current socket (counted in server pings). */
async function socketOutlived(ms: number): Promise<PingCountingSocket> {
  const socket = PingCountingSocket.last
  if (!socket) throw new Error('no socket')
  await pingsSpanning(socket, ms, PING_MS)
  return socket
}

describe('maxSendAttempts (a server that accepts frames but never stores them)', () => {
  it('default 3: failed with max_attempts after exactly 3 writes, stays live, stops reconnecting; retry starts a fresh count', async () => {
    const { store, srv, conv, errors } = await brokenServer()
    const handshakes = srv.stats.handshakes
    const id = sendOk(conv, 'never stored')
    const failed = await until(conv, s => s.messages.find(m => m.id === id)?.status === 'failed', 'failed', 20_000)
    expect(find(conv, id)?.error).toBe('max_attempts')
    expect(store.received).toEqual(['never stored', 'never stored', 'never stored'])
    // one watchdog reconnect per write, whose replay proved it missing
    expect(srv.stats.handshakes - handshakes).toBe(3)
    expect(failed.hasPending).toBe(false)
    const given = errors.filter(e => e.code === 'max_attempts')
    expect(given).toHaveLength(1)
    expect(given[0]?.message).toContain('3 attempts')
    // the snapshot keeps it although the conversation went live again (the Vue `error` ref reads it)
    expect(conv.getSnapshot().status).toBe('live')
    expect(conv.getSnapshot().error?.code).toBe('max_attempts')

    // no more writes nor reconnects for it: the socket outlives several echo timeouts
    const socket = await socketOutlived(3 * ECHO_TIMEOUT_MS)
    expect(PingCountingSocket.last).toBe(socket)
    expect(conv.getSnapshot().status).toBe('live')
    expect(srv.stats.handshakes - handshakes).toBe(3)
    expect(store.received).toHaveLength(3)

    // retry with the server still broken: three new writes before it gives up again
    conv.retry(id)
    expect(statusOf(conv, id)).not.toBe('failed')
    expect(conv.getSnapshot().error).toBeNull()
    await until(conv, s => s.messages.find(m => m.id === id)?.status === 'failed', 'failed again', 20_000)
    expect(store.received).toHaveLength(6)

    // fixed server: retry goes out once and is stored once
    store.drop = false
    srv.configure({ echo: true })
    conv.retry(id)
    const sent = await until(conv, s => settled(s) && s.messages.find(m => m.id === id)?.status === 'sent', 'sent')
    expect(store.received).toHaveLength(7)
    expect(sent.messages.map(m => [m.content, m.status])).toEqual([['seed', 'sent'], ['never stored', 'sent']])
    expect((await srv.log(1, 2)).map(m => m.content)).toEqual(['seed', 'never stored'])
  })

  it('discard removes the failed message, and a later send on the same conversation is confirmed normally', async () => {
    const { store, srv, conv } = await brokenServer(createMemoryStorage(), 1)
    const id = sendOk(conv, 'lost')
    await until(conv, s => s.messages.find(m => m.id === id)?.status === 'failed', 'failed after one write')
    expect(store.received).toEqual(['lost'])
    conv.discard(id)
    expect(conv.getSnapshot().messages.map(m => m.content)).toEqual(['seed'])
    store.drop = false
    const ok = sendOk(conv, 'stored')
    // echo still off: confirmed by the replay after a watchdog reconnect, one write
    await until(conv, s => settled(s) && s.messages.find(m => m.id === ok)?.status === 'sent', 'sent')
    expect(store.received).toEqual(['lost', 'stored'])
    expect((await srv.log(1, 2)).map(m => m.content)).toEqual(['seed', 'stored'])
  })

  it('sends queued while the server is down are not attempts: maxSendAttempts 1 still delivers them once', async () => {
    const store = droppingStore()
    const srv = await boot({ store })
    const client = track(await loggedIn(srv, 'student', { maxSendAttempts: 1 }))
    const conv = client.conversation(2)
    await until(conv, live)
    await srv.stop()
    await until(conv, s => s.status !== 'live', 'down')
    const id = sendOk(conv, 'while down')
    await until(conv, s => s.attempt >= 2, 'failed reconnects')
    expect(statusOf(conv, id)).toBe('queued')
    await srv.start()
    await until(conv, s => settled(s) && s.messages.find(m => m.id === id)?.status === 'sent', 'sent')
    expect(store.received).toEqual(['while down'])
  })

  it('a socket that drops before the echo window ends (a flaky network) costs no attempt', async () => {
    // maxSendAttempts 1: if a write on a socket that died counted, the first drop would fail the message.
    const { store, srv, conv } = await brokenServer(createMemoryStorage(), 1)
    const handshakes = srv.stats.handshakes
    const id = sendOk(conv, 'through a tunnel')
    await waitFor(() => store.received.length === 1, 'first write')
    srv.dropAll()
    await waitFor(() => store.received.length === 2, 'resent after the drop')
    expect(statusOf(conv, id)).not.toBe('failed')
    srv.dropAll()
    await waitFor(() => store.received.length === 3, 'resent after the second drop')
    expect(statusOf(conv, id)).not.toBe('failed')
    // the network heals but the frame is lost once more; now the server stores it
    store.drop = false
    srv.configure({ echo: true })
    srv.dropAll()
    await until(conv, s => settled(s) && s.messages.find(m => m.id === id)?.status === 'sent', 'sent')
    expect(srv.stats.handshakes - handshakes).toBeGreaterThanOrEqual(3)
    expect((await srv.log(1, 2)).map(m => m.content)).toEqual(['seed', 'through a tunnel'])
  })

  it('counts are in memory only: after a reload the restored send gets a fresh count and still ends failed', async () => {
    const storage = createMemoryStorage()
    const first = await brokenServer(storage)
    const id = sendOk(first.conv, 'across reloads')
    await waitFor(() => first.store.received.length === 2, 'second write')
    first.client.destroy()

    const client = track(await loggedIn(first.srv, 'student', {
      echoTimeoutMs: ECHO_TIMEOUT_MS,
      storage,
      WebSocket: PingCountingSocket as unknown as WebSocketConstructor,
    }))
    const conv = client.conversation(2)
    await until(conv, s => s.messages.find(m => m.id === id)?.status === 'failed', 'failed after the reload', 20_000)
    expect(find(conv, id)?.error).toBe('max_attempts')
    // 2 writes before the reload, 3 after it
    expect(first.store.received).toHaveLength(5)
    expect(conv.getSnapshot().status).toBe('live')
  })
})

/**
 * The memory store, but an append of a text `refuses` matches throws, as a database refusing a
 * value does (the server then closes the socket with 1011). Records every append.
 */
function refusingStore(refuses: (text: string) => boolean): MessageStore & { received: string[] } {
  const inner = createMemoryStore()
  const received: string[] = []
  return {
    received,
    async append(message) {
      received.push(message.content)
      if (refuses(message.content)) throw new Error('new row violates check constraint "chat_message_content"')
      return inner.append(message)
    },
    list: (a, b) => inner.list(a, b),
  }
}

/** Live with one stored message, so that each replay has a frame and ends after the quiet period. */
async function seeded(conv: Conversation, store: { received: string[] }): Promise<void> {
  await until(conv, live)
  sendOk(conv, 'seed')
  await until(conv, settled, 'seed stored')
  store.received.length = 0
}

describe('maxSendAttempts with a message the server fails on (1011)', () => {
  it('a message whose store write throws (socket closed with 1011) ends failed and stops holding up the next one', async () => {
    const store = refusingStore(text => text.startsWith('bad'))
    const srv = await boot({ store })
    const client = track(await loggedIn(srv, 'student', { maxSendAttempts: 2 }))
    const conv = client.conversation(2)
    await until(conv, live)
    const bad = sendOk(conv, 'bad row')
    const good = sendOk(conv, 'after it')
    const done = await until(conv, s => settled(s) && s.messages.find(m => m.id === bad)?.status === 'failed' && s.messages.find(m => m.id === good)?.status === 'sent', 'bad failed, good sent', 20_000)
    expect(find(conv, bad)?.error).toBe('max_attempts')
    expect(store.received.filter(c => c.startsWith('bad'))).toHaveLength(2)
    expect(store.received.filter(c => c === 'after it')).toHaveLength(1)
    expect(done.error?.code).toBe('max_attempts')
    expect((await srv.log(1, 2)).map(m => m.content)).toEqual(['after it'])
  })

  it('with echoTimeoutMs 0 a 1011 still counts: failed after 3 writes and 3 sockets, not resent on every handshake', async () => {
    const store = refusingStore(text => text === 'refused')
    const srv = await boot({ store })
    const client = track(await loggedIn(srv, 'student', { echoTimeoutMs: 0 }))
    const conv = client.conversation(2)
    await seeded(conv, store)
    const handshakes = srv.stats.handshakes
    const id = sendOk(conv, 'refused')
    const done = await until(conv, s => settled(s) && find(conv, id)?.status === 'failed', 'failed')
    expect(find(conv, id)?.error).toBe('max_attempts')
    expect(done.error?.code).toBe('max_attempts')
    expect(store.received).toEqual(['refused', 'refused', 'refused'])
    expect(srv.stats.handshakes - handshakes).toBe(3)
    // nothing more is written: a later send goes through alone
    sendOk(conv, 'fine')
    await until(conv, s => settled(s) && s.messages.some(m => m.content === 'fine' && m.status === 'sent'), 'fine sent')
    expect(store.received).toEqual(['refused', 'refused', 'refused', 'fine'])
    expect(srv.stats.handshakes - handshakes).toBe(3)
  })

  it('a socket the server closes soon after it went live does not reset the backoff: the attempt count grows', async () => {
    const store = refusingStore(text => text === 'refused')
    const srv = await boot({ store })
    const client = track(await loggedIn(srv, 'student', {
      echoTimeoutMs: 0,
      maxSendAttempts: Number.POSITIVE_INFINITY,
      reconnect: { baseDelayMs: 20, maxDelayMs: 400 },
    }))
    const conv = client.conversation(2)
    await seeded(conv, store)
    const attempts: number[] = []
    conv.subscribe(() => {
      const s = conv.getSnapshot()
      if (s.status === 'reconnecting' && attempts.at(-1) !== s.attempt) attempts.push(s.attempt)
    })
    sendOk(conv, 'refused')
    await waitFor(() => store.received.length >= 4, '4 writes')
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3])
  })

  it('a socket that stayed live longer than the backoff cap starts the backoff over', async () => {
    const srv = await boot({ pingIntervalMs: PING_MS })
    const client = track(await loggedIn(srv, 'student', { WebSocket: PingCountingSocket as unknown as WebSocketConstructor }))
    const conv = client.conversation(2)
    await until(conv, live)
    srv.rejectHandshakes(2)
    srv.dropAll()
    await until(conv, s => s.attempt === 2, 'two refused handshakes')
    await until(conv, live, 'live again')
    // the test client's backoff cap is 150 ms
    await socketOutlived(200)
    srv.dropAll()
    const back = await until(conv, s => s.status === 'reconnecting', 'dropped')
    expect(back.attempt).toBe(1)
    await until(conv, live)
  })
})

describe('send() refuses text no server database can store', () => {
  it('a NUL character or an unpaired surrogate is invalid_message and never enters the timeline', async () => {
    const store = refusingStore(() => false)
    const srv = await boot({ store })
    const client = track(await loggedIn(srv, 'student'))
    const conv = client.conversation(2)
    await until(conv, live)
    for (const text of ['nul\u0000byte', 'lone \uD83D high', 'lone \uDE00 low', '\uDE00\uD83D reversed', 'end \uD83D']) {
      const result = conv.send(text)
      expect(result.ok ? 'sent' : result.error.code, JSON.stringify(text)).toBe('invalid_message')
      expect(result.ok ? result.message : result.message).toBeUndefined()
    }
    expect(conv.getSnapshot().messages).toEqual([])
    const ok = sendOk(conv, 'emoji \uD83D\uDE00 pair')
    await until(conv, s => settled(s) && find(conv, ok)?.status === 'sent', 'pair sent')
    expect(store.received).toEqual(['emoji \uD83D\uDE00 pair'])
  })

  it('one an older version persisted comes back failed (invalid_message) and retry never writes it', async () => {
    const store = refusingStore(() => false)
    const srv = await boot({ store })
    const storage = createMemoryStorage()
    storage.setItem('vrc:outbox:1:2', JSON.stringify([{ id: 'old:1', owner: 'gone', content: 'nul\u0000byte', createdAt: Date.now(), status: 'queued', priorOccurrences: null }]))
    const client = track(await loggedIn(srv, 'student', { storage }))
    const conv = client.conversation(2)
    await until(conv, live)
    expect(find(conv, 'old:1')).toMatchObject({ status: 'failed', error: 'invalid_message' })
    conv.retry('old:1')
    expect(find(conv, 'old:1')?.status).toBe('failed')
    sendOk(conv, 'next')
    await until(conv, s => s.messages.some(m => m.content === 'next' && m.status === 'sent'), 'next sent')
    expect(store.received).toEqual(['next'])
    conv.discard('old:1')
    expect(conv.getSnapshot().messages.map(m => m.content)).toEqual(['next'])
  })
})

describe('a send that gave up', () => {
  it("a send's give-up error does not follow the conversation to the next signed-in user", async () => {
    const { store, client, conv } = await brokenServer(createMemoryStorage(), 1)
    const id = sendOk(conv, 'gives up')
    await until(conv, s => s.messages.find(m => m.id === id)?.status === 'failed', 'failed')
    expect(conv.getSnapshot().error?.code).toBe('max_attempts')
    store.drop = false
    await client.auth.logout()
    await client.auth.login(USERS.parent2.email, USERS.parent2.password)
    const next = await until(conv, live, 'live as parent2')
    expect(next.messages.some(m => m.id === id)).toBe(false)
    expect(next.error).toBeNull()
  })

  it('retry or discard of a message never clears the connection giving up (its own max_attempts)', async () => {
    const srv = await boot()
    const client = track(await loggedIn(srv, 'student', { reconnect: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 2 } }))
    const conv = client.conversation(2)
    await until(conv, live)
    await srv.stop()
    const gaveUp = await until(conv, s => s.error?.code === 'max_attempts', 'connection gave up')
    const id = sendOk(conv, 'nowhere to go')
    conv.discard(id)
    expect(conv.getSnapshot().messages.some(m => m.id === id)).toBe(false)
    expect(conv.getSnapshot().error).toBe(gaveUp.error)
  })
})
