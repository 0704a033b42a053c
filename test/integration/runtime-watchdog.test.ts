/**
 * Echo watchdog: a send that never gets its echo (echo off, echo swallowed, half-open socket) must
 * not stay `pending` on a conversation that looks `live` forever.
 */
import { describe, expect, it } from 'vitest'
import type { ChatError } from '../../src/core/errors'
import type { ChatMessage, WebSocketConstructor } from '../../src/core/types'
import { clientFixture, live, loggedIn, PingCountingSocket, pingsSpanning, until } from './helpers'

const ECHO_TIMEOUT_MS = 300
const PING_MS = 100

const { boot, track } = clientFixture()

const SpyWebSocket = PingCountingSocket as unknown as WebSocketConstructor

async function setup(echo: boolean, echoTimeoutMs: number) {
  const server = await boot({ echo, pingIntervalMs: PING_MS })
  const client = track(await loggedIn(server, 'student', { echoTimeoutMs, WebSocket: SpyWebSocket }))
  const conv = client.conversation(2)
  const errors: ChatError[] = []
  conv.on('error', e => errors.push(e))
  await until(conv, live)
  const socket = PingCountingSocket.last
  if (!socket) throw new Error('no socket opened')
  return { srv: server, conv, errors, socket, handshakes: server.stats.handshakes }
}

const statusOf = (messages: readonly ChatMessage[], id: string): string | undefined => messages.find(m => m.id === id)?.status

describe('echo watchdog', () => {
  it('echo off: the send is confirmed by the replay after a watchdog reconnect, stored once', async () => {
    const { srv, conv, errors, handshakes } = await setup(false, ECHO_TIMEOUT_MS)
    const result = conv.send('no echo for me')
    if (!result.ok) throw result.error
    const id = result.message.id
    await until(conv, s => statusOf(s.messages, id) === 'pending', 'pending')
    const sent = await until(conv, s => statusOf(s.messages, id) === 'sent' && s.status === 'live', 'sent after the replay')
    expect(sent.messages.filter(m => m.content === 'no echo for me')).toHaveLength(1)
    expect(sent.error).toBeNull()
    expect(srv.stats.handshakes).toBe(handshakes + 1)
    expect(errors.map(e => e.code)).toEqual(['network'])
    expect(errors[0]?.message).toContain(`${ECHO_TIMEOUT_MS} ms`)
    const log = await srv.log(1, 2)
    expect(log.filter(m => m.content === 'no echo for me')).toHaveLength(1)
  })

  it('a send confirmed by its echo never trips the watchdog', async () => {
    const { srv, conv, errors, socket, handshakes } = await setup(true, ECHO_TIMEOUT_MS)
    const result = conv.send('echoed')
    if (!result.ok) throw result.error
    const id = result.message.id
    await until(conv, s => statusOf(s.messages, id) === 'sent', 'echo')
    await pingsSpanning(socket, ECHO_TIMEOUT_MS + PING_MS, PING_MS)
    expect(PingCountingSocket.last).toBe(socket)
    expect(socket.readyState).toBe(PingCountingSocket.OPEN)
    expect(srv.stats.handshakes).toBe(handshakes)
    expect(conv.getSnapshot().status).toBe('live')
    expect(errors).toEqual([])
  })

  it('echoTimeoutMs: 0 disables the watchdog', async () => {
    const { srv, conv, errors, socket, handshakes } = await setup(false, 0)
    const result = conv.send('waits forever')
    if (!result.ok) throw result.error
    const id = result.message.id
    await until(conv, s => statusOf(s.messages, id) === 'pending', 'pending')
    await pingsSpanning(socket, ECHO_TIMEOUT_MS + PING_MS, PING_MS)
    const s = conv.getSnapshot()
    expect(s.status).toBe('live')
    expect(statusOf(s.messages, id)).toBe('pending')
    expect(srv.stats.handshakes).toBe(handshakes)
    expect(PingCountingSocket.last).toBe(socket)
    expect(errors).toEqual([])
  })
})
