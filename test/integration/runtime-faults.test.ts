import { describe, expect, it } from 'vitest'
import type { ChatError } from '../../src/core/errors'
import type { ConnectionStatus, Scheduler } from '../../src/core/types'
import { createDefaultScheduler } from '../../src/core/options'
import { typingExtension } from '../../src/core/conversation/typing'
import { createManualSignals, live, loggedIn, logShape, makeClient, settled, shape, until, waitFor, clientFixture } from './helpers'

const { boot, track } = clientFixture()

/** A clock both the server and the client read, so token expiry is a jump, not a sleep. */
function sharedClock(): { now: () => number; advance(ms: number): void; scheduler: Scheduler } {
  let offset = 0
  const real = createDefaultScheduler()
  const now = (): number => Date.now() + offset
  return { now, advance: (ms) => { offset += ms }, scheduler: { ...real, now } }
}

describe('tokens and handshakes', () => {
  it('an access token expiring while connected keeps the socket; the next reconnect uses a refreshed token', async () => {
    const clock = sharedClock()
    const srv = await boot({ now: clock.now, accessTtlSeconds: 60 })
    const c = track(await loggedIn(srv, 'student', { scheduler: clock.scheduler, refreshThresholdMs: 0, clockSkewMs: 0 }))
    const s = c.conversation(2)
    await until(s, live)
    const refreshesBefore = srv.stats.refreshes
    clock.advance(120_000)
    // nothing closes an open socket whose token expired: still live, still usable
    s.send('after expiry')
    await until(s, settled, 'echo on the old socket')
    expect(srv.openSockets).toBe(1)
    srv.dropAll()
    await until(s, x => x.status !== 'live', 'drop noticed')
    await until(s, live, 'reconnected')
    expect(srv.stats.refreshes).toBeGreaterThan(refreshesBefore)
    expect(srv.stats.rejectedHandshakes).toBe(0)
    expect(shape(s.getSnapshot())).toEqual([['1', 'after expiry']])
  })

  it('a handshake rejected for a token the client thought valid is retried once refreshed', async () => {
    const clock = sharedClock()
    const srv = await boot({ now: clock.now })
    const c = track(makeClient(srv))
    const tokens = srv.issueTokens(1, { accessTtlSeconds: 60 })
    c.auth.setTokens(tokens)
    // the server's clock runs ahead: for it the token is stale, for the client it is fine
    clock.advance(120_000)
    const s = c.conversation(2)
    const statuses: ConnectionStatus[] = []
    s.on('status', st => statuses.push(st))
    await until(s, live, 'live after refresh')
    expect(srv.stats.rejectedHandshakes).toBe(1)
    expect(srv.stats.refreshes).toBe(1)
    expect(statuses).toContain('reconnecting')
    expect(c.auth.getState().status).toBe('authenticated')
  })

  it('a rejected refresh token ends in unauthorized without a retry storm', async () => {
    const clock = sharedClock()
    const srv = await boot({ now: clock.now })
    const c = track(makeClient(srv))
    const tokens = srv.issueTokens(1, { accessTtlSeconds: 60 })
    c.auth.setTokens(tokens)
    srv.revokeRefresh(tokens.refresh)
    clock.advance(120_000)
    const s = c.conversation(2)
    const errors: ChatError[] = []
    s.on('error', e => errors.push(e))
    await until(s, x => x.status === 'unauthorized', 'unauthorized')
    const stats = { ...srv.stats }
    // a storm would show dozens of handshakes at a 20 ms backoff; nothing may move at all
    await new Promise(r => setTimeout(r, 300))
    expect(srv.stats.handshakes).toBe(stats.handshakes)
    expect(srv.stats.handshakes).toBeLessThanOrEqual(1)
    expect(srv.stats.refreshes).toBeLessThanOrEqual(1)
    expect(errors.some(e => e.code === 'unauthorized')).toBe(true)
    expect(JSON.stringify(errors.map(e => [e.message, e.details]))).not.toContain(tokens.access)
  })

  it('handshake rejected by a server that is fine: treated as an outage, retried with backoff', async () => {
    const srv = await boot({ handshakeRejection: 'http403' })
    const c = track(await loggedIn(srv, 'student'))
    srv.rejectHandshakes(2)
    const s = c.conversation(2)
    await until(s, live, 'live after two rejections')
    expect(srv.stats.rejectedHandshakes).toBe(2)
    expect(c.auth.getState().status).toBe('authenticated')
  })
})

describe('server faults', () => {
  it('server restart mid-send: the message is delivered exactly once', async () => {
    const srv = await boot()
    const c = track(await loggedIn(srv, 'student'))
    const s = c.conversation(2)
    await until(s, live)
    srv.delay(400)
    s.send('through the restart')
    await waitFor(async () => (await srv.log(1, 2)).length === 1, 'stored')
    await srv.stop()
    await until(s, x => x.status !== 'live', 'drop noticed')
    expect(s.getSnapshot().messages[0]?.status).toBe('unknown')
    srv.delay(0)
    await srv.start()
    const snap = await until(s, settled, 'settled after restart')
    expect(shape(snap)).toEqual([['1', 'through the restart']])
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'through the restart']])
  })

  it('a message sent while the server is down is delivered once it is back', async () => {
    const srv = await boot()
    const c = track(await loggedIn(srv, 'student'))
    const s = c.conversation(2)
    await until(s, live)
    await srv.stop()
    await until(s, x => x.status === 'reconnecting', 'reconnecting')
    s.send('while down')
    expect(s.getSnapshot().messages[0]?.status).toBe('queued')
    await srv.start()
    const snap = await until(s, settled, 'delivered')
    expect(shape(snap)).toEqual(logShape(await srv.log(1, 2)))
    expect(snap.messages).toHaveLength(1)
  })

  it('crashNext (1011): the frame is stored once, shows once, and is never resent blindly', async () => {
    const srv = await boot()
    const c = track(await loggedIn(srv, 'student'))
    const s = c.conversation(2)
    await until(s, live)
    const errors: string[] = []
    s.on('error', e => errors.push(e.code))
    srv.crashNext()
    s.send('crasher')
    await until(s, x => x.status !== 'live', 'socket died')
    const snap = await until(s, settled, 'settled after the replay')
    expect(errors).toContain('server_error')
    expect(shape(snap)).toEqual([['1', 'crasher']])
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'crasher']])
  })

  it('dropAll: reconnects by itself and keeps working', async () => {
    const srv = await boot()
    const c = track(await loggedIn(srv, 'student'))
    const s = c.conversation(2)
    await until(s, live)
    s.send('before')
    await until(s, settled)
    srv.dropAll()
    await until(s, x => x.status === 'reconnecting', 'reconnecting')
    await until(s, live, 'live again')
    s.send('after')
    const snap = await until(s, x => settled(x) && x.messages.length === 2)
    expect(shape(snap)).toEqual(logShape(await srv.log(1, 2)))
    expect(snap.attempt).toBe(0)
  })

  it('gives up after maxAttempts with max_attempts; reconnect() starts over', async () => {
    const srv = await boot()
    const c = track(await loggedIn(srv, 'student', { reconnect: { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 2 } }))
    const s = c.conversation(2)
    await until(s, live)
    await srv.stop()
    const snap = await until(s, x => x.error?.code === 'max_attempts', 'gave up')
    expect(snap.status).toBe('reconnecting')
    expect(snap.attempt).toBe(2)
    await srv.start()
    s.reconnect()
    await until(s, live, 'live after manual reconnect')
  })
})

describe('environment signals', () => {
  it('offline: closes, makes no attempt, queues sends; online: reconnects at once and flushes', async () => {
    const srv = await boot()
    const signals = createManualSignals()
    const c = track(await loggedIn(srv, 'student', { signals, reconnect: { baseDelayMs: 60_000, maxDelayMs: 60_000 } }))
    const s = c.conversation(2)
    await until(s, live)
    signals.setOnline(false)
    expect(s.getSnapshot().status).toBe('offline')
    await waitFor(() => srv.openSockets === 0, 'socket closed')
    const handshakes = srv.stats.handshakes
    s.send('from the tunnel')
    expect(s.getSnapshot().messages[0]?.status).toBe('queued')
    signals.setOnline(true)
    // a 60 s backoff would fail this: online means now
    const snap = await until(s, settled, 'flushed after online', 5000)
    expect(srv.stats.handshakes).toBe(handshakes + 1)
    expect(shape(snap)).toEqual(logShape(await srv.log(1, 2)))
  })

  it('pauseWhenHidden closes the socket while hidden and reopens when visible', async () => {
    const srv = await boot()
    const signals = createManualSignals()
    const c = track(await loggedIn(srv, 'student', { signals, pauseWhenHidden: true }))
    const s = c.conversation(2)
    await until(s, live)
    signals.setVisible(false)
    await until(s, x => x.status === 'idle', 'paused')
    await waitFor(() => srv.openSockets === 0, 'socket closed')
    signals.setVisible(true)
    await until(s, live, 'resumed')
  })

  it('becoming visible skips a long backoff wait', async () => {
    const srv = await boot()
    const signals = createManualSignals()
    const c = track(await loggedIn(srv, 'student', { signals, reconnect: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 0.99 }))
    const s = c.conversation(2)
    await until(s, live)
    srv.dropAll()
    await until(s, x => x.status === 'reconnecting', 'waiting on backoff')
    signals.setVisible(false)
    signals.setVisible(true)
    await until(s, live, 'reconnected on visibility', 5000)
  })
})

describe('extensions', () => {
  it('typing frames flow only with the extension on, and peerTyping clears on a message', async () => {
    const srv = await boot({ extensions: true })
    const opts = { extensions: { typing: typingExtension } }
    const a = track(await loggedIn(srv, 'student', opts))
    const b = track(await loggedIn(srv, 'parent', opts))
    const sa = a.conversation(2)
    const sb = b.conversation(1)
    await Promise.all([until(sa, live), until(sb, live)])
    sa.notifyTyping()
    sa.notifyTyping()
    await until(sb, x => x.peerTyping, 'peer typing')
    sa.send('done typing')
    await until(sb, x => !x.peerTyping && x.messages.length === 1, 'typing cleared by message')
  })
})
