import { describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import type { AddressInfo } from 'node:net'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ChatError } from '../../src/core/errors'
import { signJwt } from '../../src/testing'
import type { ChatServer } from '../../src/testing'
import { createManualSignals, live, loggedIn, logShape, makeClient, settled, shape, until, USERS, waitFor, clientFixture } from './helpers'

const { boot, track } = clientFixture()

describe('two tabs of one user sharing one storage', () => {
  it('each shows every message once and neither resends the other\'s pending sends', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const tabA = track(await loggedIn(srv, 'student', { storage }))
    const tabB = track(makeClient(srv, { storage }))
    // tab B finds the tokens tab A stored
    tabB.auth.setTokens(srv.issueTokens(1))
    const a = tabA.conversation(2)
    const b = tabB.conversation(2)
    await Promise.all([until(a, live), until(b, live)])

    srv.delay(250)
    a.send('same')
    a.send('same')
    b.send('from b')
    // B reconnects while A's sends are still unconfirmed and visible in the shared outbox
    await until(a, x => x.messages.filter(m => m.status === 'pending').length === 2, 'A pending')
    b.reconnect()
    srv.delay(0)
    const [sa, sb] = await Promise.all([
      until(a, x => settled(x) && x.messages.length === 3, 'A settled'),
      until(b, x => settled(x) && x.messages.length === 3, 'B settled'),
    ])
    const log = logShape(await srv.log(1, 2))
    expect(log.filter(([, t]) => t === 'same')).toHaveLength(2)
    expect(log).toHaveLength(3)
    // the live order may differ per tab until the next replay; the multiset must match the log
    expect(shape(sa).sort()).toEqual([...log].sort())
    expect(shape(sb).sort()).toEqual([...log].sort())
    a.reconnect()
    b.reconnect()
    const [ra, rb] = await Promise.all([until(a, x => x.status === 'syncing'), until(b, x => x.status === 'syncing')]).then(() =>
      Promise.all([until(a, settled), until(b, settled)]))
    expect(shape(ra)).toEqual(log)
    expect(shape(rb)).toEqual(log)
    expect(storage.getItem('vrc:outbox:1:2')).toBeNull()
  })

  it('a tab that closed leaves its unsent messages to the other tab, which delivers them once', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const signals = createManualSignals()
    const tabA = makeClient(srv, { storage, signals })
    await tabA.auth.login(USERS.student.email, USERS.student.password)
    const tabB = track(makeClient(srv, { storage }))
    tabB.auth.setTokens(srv.issueTokens(1))
    const a = tabA.conversation(2)
    const b = tabB.conversation(2)
    await Promise.all([until(a, live), until(b, live)])
    signals.setOnline(false)
    a.send('left behind')
    expect(storage.getItem('vrc:outbox:1:2')).toContain('left behind')
    tabA.destroy()
    // B adopts at its next replay
    b.reconnect()
    const snap = await until(b, x => settled(x) && x.messages.length === 1, 'B delivered the orphan')
    expect(shape(snap)).toEqual([['1', 'left behind']])
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'left behind']])
  })
})

describe('reload (a new client on the same storage)', () => {
  it('a pending send that the server stored is confirmed by the replay, not resent', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const first = await loggedIn(srv, 'student', { storage })
    const c1 = first.conversation(2)
    await until(c1, live)
    srv.delay(500)
    c1.send('survives reload')
    await waitFor(async () => (await srv.log(1, 2)).length === 1, 'stored')
    first.destroy()
    srv.delay(0)
    const second = track(makeClient(srv, { storage }))
    const c2 = second.conversation(2)
    expect(c2.getSnapshot().messages.map(m => [m.content, m.status])).toEqual([['survives reload', 'unknown']])
    const snap = await until(c2, settled, 'confirmed')
    expect(shape(snap)).toEqual([['1', 'survives reload']])
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'survives reload']])
  })

  it('a queued send that never left is sent once after the reload', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const signals = createManualSignals()
    const first = await loggedIn(srv, 'student', { storage, signals })
    const c1 = first.conversation(2)
    await until(c1, live)
    signals.setOnline(false)
    c1.send('offline draft')
    c1.send('offline draft')
    first.destroy()
    const second = track(makeClient(srv, { storage }))
    const c2 = second.conversation(2)
    const snap = await until(c2, x => settled(x) && x.messages.length === 2, 'delivered after reload')
    expect(shape(snap)).toEqual([['1', 'offline draft'], ['1', 'offline draft']])
    expect(logShape(await srv.log(1, 2))).toEqual(shape(snap))
  })

  it('keeps the read marker across reloads', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const parent = track(await loggedIn(srv, 'parent'))
    const p = parent.conversation(1)
    await until(p, live)
    p.send('read me')
    p.send('and me')
    await until(p, x => settled(x) && x.messages.length === 2)
    const first = await loggedIn(srv, 'student', { storage })
    const s1 = first.conversation(2)
    await until(s1, x => x.status === 'live' && x.unreadCount === 2)
    s1.markRead()
    first.destroy()
    const second = track(makeClient(srv, { storage }))
    const s2 = second.conversation(2)
    const snap = await until(s2, x => x.status === 'live' && x.messages.length === 2)
    expect(snap.unreadCount).toBe(0)
  })
})

describe('malformed frames', () => {
  it('are dropped and reported as malformed_frame, never thrown; valid frames still count', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    await new Promise<void>(r => wss.once('listening', () => r()))
    const port = (wss.address() as AddressInfo).port
    const paths: string[] = []
    wss.on('connection', (ws, req) => {
      paths.push((req.url ?? '').replace(/token=[^&]*/, 'token=***'))
      ws.send('not json')
      ws.send('[1,2]')
      ws.send(JSON.stringify({ sender_id: 2, reciever_id: 1, content: 'valid', timestamp: '2026-11-24T11:31:14.892717+00:00', is_read: false }))
      ws.send(JSON.stringify({ message: { nested: true }, sender_id: 2 }))
      ws.send(Buffer.from([0xff, 0x00]))
      ws.send(JSON.stringify({ message: 'live one', sender_id: 2 }))
    })
    try {
      const client = track(makeClient({ url: `http://127.0.0.1:${port}` } as ChatServer))
      const exp = Math.floor(Date.now() / 1000) + 3600
      client.auth.setTokens({ access: signJwt({ token_type: 'access', exp, iat: exp - 3600, jti: 'x', user_id: '1' }, 'secret') })
      const c = client.conversation(2)
      const errors: ChatError[] = []
      c.on('error', e => errors.push(e))
      const snap = await until(c, x => x.status === 'live' && x.messages.length === 2, 'valid frames shown')
      expect(shape(snap)).toEqual([['2', 'valid'], ['2', 'live one']])
      expect(errors.filter(e => e.code === 'malformed_frame').length).toBeGreaterThanOrEqual(3)
      expect(paths).toEqual(['/ws/chat/2/?token=***'])
    }
    finally {
      for (const ws of wss.clients) ws.terminate()
      await new Promise(r => wss.close(r))
    }
  })
})
