import { describe, expect, it } from 'vitest'
import { createChatServer } from '../../src/testing'
import type { ChatServer } from '../../src/testing'
import { chatUrl, connect, eventually, serverFixture } from './server-helpers'

const { start, chat, track } = serverFixture()

function login(server: ChatServer): Promise<Response> {
  return fetch(`${server.url}/api/auth/login/`, { method: 'POST', body: JSON.stringify({ email: 'student@example.com', password: 'student123' }) })
}

describe('fault injection', () => {
  it('dropAll() terminates every socket (1006) and the server keeps accepting', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    const b = await chat(server, 2, 1)
    expect(server.openSockets).toBe(2)
    server.dropAll()
    expect(await a.closed()).toBe(1006)
    expect(await b.closed()).toBe(1006)
    expect(server.openSockets).toBe(0)
    const again = await chat(server, 1, 2)
    expect(again.opened).toBe(true)
  })

  it('stop() drops sockets and refuses REST; start() listens on the same port with history kept', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    a.send({ message: 'before restart' })
    await a.until(() => a.frames.length === 1, 'echo')
    const port = server.port
    await server.stop()
    expect(await a.closed()).toBe(1006)
    await expect(login(server)).rejects.toThrow()
    const refused = connect(chatUrl(server, 1, 2))
    expect(await refused.closed()).toBe(1006)
    expect(refused.errorMessage).toMatch(/ECONNREFUSED/)
    await server.start()
    expect(server.port).toBe(port)
    expect((await login(server)).status).toBe(200)
    const b = await chat(server, 1, 2)
    await b.until(() => b.frames.length === 1, 'replay')
    expect(b.frames[0]).toMatchObject({ sender_id: 1, reciever_id: 2, content: 'before restart' })
  })

  it('delay(ms) holds outbound frames back, in order, until delay(0)', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    server.delay(400)
    const sent = performance.now()
    for (const text of ['1', '2', '3'])
      a.send({ message: text })
    await a.until(() => a.frames.length === 3, 'delayed echoes')
    expect(performance.now() - sent).toBeGreaterThanOrEqual(390)
    expect(a.frames).toEqual(['1', '2', '3'].map(message => ({ message, sender_id: 1 })))
    server.delay(0)
    const fast = performance.now()
    a.send({ message: '4' })
    await a.until(() => a.frames.length === 4, 'prompt echo')
    expect(performance.now() - fast).toBeLessThan(300)
  })

  it('crashNext() stores the message, closes the sender with 1011 before its echo, the peer still gets it', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    const b = await chat(server, 2, 1)
    server.crashNext()
    a.send({ message: 'swallowed' })
    expect(await a.closed()).toBe(1011)
    expect(a.frames).toEqual([])
    await b.until(() => b.frames.length === 1, 'peer copy')
    expect(b.frames).toEqual([{ message: 'swallowed', sender_id: 1 }])
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['swallowed'])
    const again = await chat(server, 1, 2)
    again.send({ message: 'after' })
    await again.until(() => again.frames.length === 2, 'replay + echo')
    expect(again.frames[1]).toEqual({ message: 'after', sender_id: 1 })
  })

  it('refuseConnections(ms) destroys new connections for a while, then serves again', async () => {
    const server = await start()
    server.refuseConnections(300)
    const refusedAt = performance.now()
    await expect(login(server)).rejects.toThrow()
    const refused = connect(chatUrl(server, 1, 2))
    expect(await refused.closed()).toBe(1006)
    expect(refused.opened).toBe(false)
    const res = await eventually(async () => {
      const r = await login(server)
      return r.status
    }, 'server to serve again')
    expect(res).toBe(200)
    expect(performance.now() - refusedAt).toBeGreaterThanOrEqual(280)
    const ok = await chat(server, 1, 2)
    expect(ok.opened).toBe(true)
  })

  it('issueTokens() honours a short access lifetime', async () => {
    let clock = Date.now()
    const server = await start({ now: () => clock })
    const { access } = server.issueTokens(1, { accessTtlSeconds: 1 })
    const first = await chat(server, 1, 2)
    first.ws.close()
    clock += 2000
    const expired = connect(chatUrl(server, 1, 2, access))
    expect(await expired.closed()).toBe(1006)
    expect(expired.errorMessage).toBe('Unexpected server response: 500')
  })

  it('pings every pingIntervalMs and terminates a socket that never pongs', async () => {
    const server = await start({ pingIntervalMs: 40 })
    const polite = await chat(server, 1, 2)
    const silent = connect(chatUrl(server, 2, 1), { autoPong: false })
    track(silent)
    expect(await silent.closed()).toBe(1006)
    expect(silent.pings).toBeGreaterThanOrEqual(2)
    // Well past the point where a socket that never answers is dropped.
    await polite.until(() => polite.pings >= 5 || polite.closeCode !== null, 'five pings')
    expect(polite.closeCode).toBeNull()
    expect(polite.pings).toBeGreaterThanOrEqual(5)
  })

  it('close() frees the port', async () => {
    const server = await createChatServer()
    await chat(server, 1, 2)
    await server.close()
    const after = connect(chatUrl(server, 1, 2))
    expect(await after.closed()).toBe(1006)
    expect(after.errorMessage).toMatch(/ECONNREFUSED/)
  })
})
