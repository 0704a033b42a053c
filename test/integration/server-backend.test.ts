import { describe, expect, it } from 'vitest'
import { createChatBackend } from '../../src/testing'
import type { ChatBackend, ChatConnection, HandshakeSession } from '../../src/testing'

/** A transport of our own, the way a crossws/Nitro adapter would wire the backend. */
interface FakeConn extends ChatConnection {
  frames: string[]
  closedWith: number | null
  terminated: boolean
  /** Resolves once `n` frames have been sent to this connection. */
  received(n: number): Promise<void>
}

function fakeConn(): FakeConn {
  const waiters: (() => void)[] = []
  const conn: FakeConn = {
    frames: [],
    closedWith: null,
    terminated: false,
    send(text) {
      conn.frames.push(text)
      for (const w of waiters.splice(0)) w()
    },
    received(n) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${conn.frames.length} of ${n} frames`)), 2000)
        const check = (): void => {
          if (conn.frames.length >= n) {
            clearTimeout(timer)
            resolve()
          }
          else {
            waiters.push(check)
          }
        }
        check()
      })
    },
    close(code: number) { conn.closedWith = code },
    terminate() { conn.terminated = true },
  }
  return conn
}

function session(backend: ChatBackend, me: number, peer: number): HandshakeSession {
  const result = backend.authenticate(`/ws/chat/${peer}/?token=${backend.issueTokens(me).access}`)
  if (!result.ok)
    throw new Error(`handshake failed: ${result.reason}`)
  return result
}

describe('createChatBackend without any transport', () => {
  it('authenticate() explains every refusal and applies the configured rejection', () => {
    const backend = createChatBackend({ handshakeRejectDelayMs: 7, handshakeRejection: 'close4401' })
    const { access, refresh } = backend.issueTokens(1)
    expect(backend.authenticate(`ws://h/ws/chat/2/?token=${access}`)).toMatchObject({ ok: true, peerId: 2, user: { id: 1 } })
    expect(backend.authenticate(`/ws/chat/2?token=${access}`)).toEqual({ ok: false, reason: 'bad_path', rejection: 'http500', delayMs: 7 })
    expect(backend.authenticate('/ws/chat/2/')).toMatchObject({ ok: false, reason: 'missing_token', rejection: 'close4401' })
    expect(backend.authenticate(`/ws/chat/2/?token=${refresh}`)).toMatchObject({ ok: false, reason: 'invalid_token' })
    expect(backend.authenticate(`/ws/chat/42/?token=${access}`)).toMatchObject({ ok: false, reason: 'unknown_peer' })
    expect({ ...backend.stats }).toMatchObject({ handshakes: 5, rejectedHandshakes: 4 })
  })

  it('open() joins the group before reading history; message() stores then broadcasts; close() leaves', async () => {
    const backend = createChatBackend()
    const a = fakeConn()
    const b = fakeConn()
    await backend.open(a, session(backend, 1, 2))
    await backend.open(b, session(backend, 2, 1))
    expect(backend.openSockets).toBe(2)
    await backend.message(a, '{"message":"hi"}', false)
    await backend.message(b, new TextEncoder().encode('{"message":7}'), false)
    await Promise.all([a.received(2), b.received(2)])
    expect(a.frames).toEqual(['{"message":"hi","sender_id":1}', '{"message":7,"sender_id":2}'])
    expect(b.frames).toEqual(a.frames)
    backend.close(b)
    expect(backend.openSockets).toBe(1)
    await backend.message(a, '{"message":"alone"}', false)
    await a.received(3)
    expect(b.frames).toHaveLength(2)

    const c = fakeConn()
    await backend.open(c, session(backend, 2, 1))
    expect(c.frames.map(f => (JSON.parse(f) as { content: string }).content)).toEqual(['hi', '7', 'alone'])
  })

  it('a failing store closes the socket with 1011 instead of throwing', async () => {
    const backend = createChatBackend({ store: { append: () => Promise.reject(new Error('db down')), list: async () => [] } })
    const a = fakeConn()
    await backend.open(a, session(backend, 1, 2))
    await expect(backend.message(a, '{"message":"x"}', false)).resolves.toBeUndefined()
    expect(a.closedWith).toBe(1011)
    expect(a.frames).toEqual([])
  })

  it('dropAll() terminates every connection', async () => {
    const backend = createChatBackend()
    const a = fakeConn()
    await backend.open(a, session(backend, 1, 2))
    backend.dropAll()
    expect(a.terminated).toBe(true)
    expect(backend.openSockets).toBe(0)
  })

  it('REST handlers accept raw text bodies', () => {
    const backend = createChatBackend()
    expect(backend.login('{"email":"parent@example.com","password":"parent123"}').status).toBe(200)
    expect(backend.login('{oops').status).toBe(400)
    expect(backend.login('[1]').status).toBe(400)
    expect(backend.me(undefined).status).toBe(401)
  })
})
