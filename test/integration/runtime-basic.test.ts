import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatClient, ChatMessage, MessageStatus } from '../../src/core/types'
import type { ChatServer } from '../../src/testing'
import { live, loggedIn, logShape, makeClient, settled, shape, startServer, until, USERS, waitFor } from './helpers'

let server: ChatServer
const clients: ChatClient[] = []
async function user(who: keyof typeof USERS, options: Parameters<typeof loggedIn>[2] = {}): Promise<ChatClient> {
  const c = await loggedIn(server, who, options)
  clients.push(c)
  return c
}

beforeEach(async () => {
  server = await startServer()
})
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await server.close()
})

describe('conversation basics (real sockets, real server)', () => {
  it('replays the history on connect, oldest first, with server timestamps', async () => {
    const parent = await user('parent')
    const p = parent.conversation(USERS.student.id)
    await until(p, live, 'parent live')
    for (const text of ['one', 'two', 'three']) p.send(text)
    await until(p, settled, 'parent settled')

    const student = await user('student')
    const s = student.conversation(USERS.student.id === 1 ? 2 : 1)
    const snap = await until(s, x => x.status === 'live' && x.messages.length === 3, 'student replay')
    expect(shape(snap)).toEqual([['2', 'one'], ['2', 'two'], ['2', 'three']])
    expect(snap.messages.every(m => m.serverTime && m.status === 'sent' && !m.isMine)).toBe(true)
    expect(snap.unreadCount).toBe(3)
    expect(shape(snap)).toEqual(logShape(await server.log(1, 2)))
  })

  it('send goes pending then sent, and the peer receives it as a message event', async () => {
    const student = await user('student')
    const parent = await user('parent')
    const s = student.conversation(2)
    const p = parent.conversation('1')
    await Promise.all([until(s, live), until(p, live)])

    const received: ChatMessage[] = []
    p.on('message', m => received.push(m))
    const seen: MessageStatus[] = []
    s.subscribe(() => {
      const m = s.getSnapshot().messages.find(x => x.content === 'Hello!')
      if (m && seen.at(-1) !== m.status) seen.push(m.status)
    })
    const result = s.send('  Hello!  ')
    expect(result.ok).toBe(true)
    expect(result.message?.content).toBe('Hello!')
    await until(s, settled, 'echo')
    await until(p, x => x.messages.some(m => m.content === 'Hello!'), 'peer receives')
    expect(seen).toEqual(['pending', 'sent'])
    expect(received.map(m => [m.senderId, m.content, m.isMine])).toEqual([['1', 'Hello!', false]])
    expect(p.getSnapshot().unreadCount).toBe(1)
    p.markRead()
    expect(p.getSnapshot().unreadCount).toBe(0)
  })

  it('identical texts stay distinct, across a reconnect too', async () => {
    const student = await user('student')
    const s = student.conversation(2)
    await until(s, live)
    s.send('ok')
    s.send('ok')
    s.send('ok')
    await until(s, x => settled(x) && x.messages.length === 3, 'three echoes')
    const ids = new Set(s.getSnapshot().messages.map(m => m.id))
    expect(ids.size).toBe(3)
    s.reconnect()
    await until(s, x => x.status === 'connecting' || x.status === 'syncing' || x.status === 'reconnecting', 'reconnect begins')
    const after = await until(s, settled, 'live again')
    expect(shape(after)).toEqual([['1', 'ok'], ['1', 'ok'], ['1', 'ok']])
    expect(shape(after)).toEqual(logShape(await server.log(1, 2)))
    expect(new Set(after.messages.map(m => m.id))).toEqual(ids)
  })

  it('rejects empty and too-long input without touching the timeline', async () => {
    const student = await user('student', { maxMessageLength: 10 })
    const s = student.conversation(2)
    await until(s, live)
    const empty = s.send('   ')
    expect(empty.ok).toBe(false)
    expect(!empty.ok && empty.error.code).toBe('empty_message')
    expect(s.getSnapshot().messages).toHaveLength(0)
    const long = s.send('x'.repeat(11))
    expect(!long.ok && long.error.code).toBe('message_too_long')
    expect(long.message).toBeUndefined()
    expect(s.getSnapshot().messages).toHaveLength(0)
    expect(s.send('x'.repeat(10)).ok).toBe(true)
    await until(s, settled, 'the fitting one sent')
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['x'.repeat(10)])
  })

  it('ref-counts conversations: the socket closes when the last holder releases', async () => {
    const student = await user('student')
    const a = student.conversation(2)
    const b = student.conversation(' 2 ')
    expect(student.peek(2)?.getSnapshot()).toBe(a.getSnapshot())
    await until(a, live)
    expect(server.openSockets).toBe(1)
    a.release()
    a.release()
    expect(student.peek(2)).toBeDefined()
    b.release()
    expect(student.peek(2)).toBeUndefined()
    await waitFor(() => server.openSockets === 0, 'socket closed')
  })

  it('an invalid peer id gives an inert conversation with invalid_peer, never a throw', async () => {
    const student = await user('student')
    const c = student.conversation('abc')
    expect(c.getSnapshot().error?.code).toBe('invalid_peer')
    const r = c.send('hi')
    expect(!r.ok && r.error.code).toBe('invalid_peer')
  })

  it('stays idle until login, then connects; logout closes the socket', async () => {
    const client = makeClient(server)
    clients.push(client)
    const c = client.conversation(2)
    expect(c.getSnapshot().status).toBe('idle')
    expect(c.send('early').ok).toBe(false)
    await client.auth.login(USERS.student.email, USERS.student.password)
    await until(c, live, 'live after login')
    await client.auth.logout()
    await until(c, x => x.status === 'idle', 'idle after logout')
    await waitFor(() => server.openSockets === 0, 'socket closed on logout')
  })

  it('without a WebSocket constructor (SSR, Node 20) stays idle and never throws', async () => {
    const client = makeClient(server, { WebSocket: undefined })
    clients.push(client)
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined()
    await client.auth.login(USERS.student.email, USERS.student.password)
    const c = client.conversation(2)
    const r = c.send('queued while server-side')
    expect(r.ok).toBe(true)
    expect(c.getSnapshot().status).toBe('idle')
    expect(c.getSnapshot().messages[0]?.status).toBe('queued')
    expect(server.stats.handshakes).toBe(0)
  })
})
