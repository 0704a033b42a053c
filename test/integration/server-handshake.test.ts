import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createChatServer } from '../../src/testing'
import type { ChatServer, HandshakeRejection } from '../../src/testing'
import { chatUrl, connect, decodePayload } from './server-helpers'

let server: ChatServer
let clock = Date.now()
beforeAll(async () => {
  server = await createChatServer({ handshakeRejectDelayMs: 5, now: () => clock })
})
afterEach(() => {
  clock = Date.now()
  server.configure({ handshakeRejection: 'http500', handshakeRejectDelayMs: 5 })
})
afterAll(() => server.close())

function badTokens(): Record<string, string | null> {
  const { access, refresh } = server.issueTokens(1)
  const [h, , s] = access.split('.')
  const forged = Buffer.from(JSON.stringify({ ...decodePayload(access), user_id: '2' })).toString('base64url')
  return {
    missing: null,
    expired: server.issueTokens(1, { accessTtlSeconds: -1 }).access,
    tampered: `${h}.${forged}.${s}`,
    'refresh-type': refresh,
  }
}

function urlWith(token: string | null): string {
  return token === null ? `${server.wsUrl}/ws/chat/2/` : `${server.wsUrl}/ws/chat/2/?token=${token}`
}

describe('accepted handshakes', () => {
  it('accepts ?token= and the ?access_token= alias', async () => {
    const { access } = server.issueTokens(1)
    for (const url of [`${server.wsUrl}/ws/chat/2/?token=${access}`, `${server.wsUrl}/ws/chat/2/?access_token=${access}`]) {
      const client = connect(url)
      await client.open()
      client.ws.close()
      expect(await client.closed()).toBe(1005)
    }
  })

  it('keeps an open socket open after its token expires', async () => {
    const client = connect(chatUrl(server, 1, 3, server.issueTokens(1, { accessTtlSeconds: 60 }).access))
    await client.open()
    clock += 3_600_000
    client.send({ message: 'still here' })
    await client.until(() => client.frames.length === 1, 'echo')
    expect(client.frames[0]).toEqual({ message: 'still here', sender_id: 1 })
    expect(client.closeCode).toBeNull()
    client.ws.close()
    await client.closed()
  })
})

describe.each<[HandshakeRejection, (c: ReturnType<typeof connect>) => void]>([
  ['http500', (c) => {
    expect(c.opened).toBe(false)
    expect(c.errorMessage).toBe('Unexpected server response: 500')
    expect(c.closeCode).toBe(1006)
  }],
  ['http403', (c) => {
    expect(c.opened).toBe(false)
    expect(c.errorMessage).toBe('Unexpected server response: 403')
    expect(c.closeCode).toBe(1006)
  }],
  ['close4401', (c) => {
    expect(c.opened).toBe(true)
    expect(c.frames).toEqual([])
    expect(c.closeCode).toBe(4401)
  }],
])('rejection %s', (rejection, expectRejected) => {
  it.each(['missing', 'expired', 'tampered', 'refresh-type'])('rejects a %s token', async (kind) => {
    server.configure({ handshakeRejection: rejection })
    const before = server.stats.rejectedHandshakes
    const client = connect(urlWith(badTokens()[kind] ?? null))
    await client.closed()
    expectRejected(client)
    expect(server.stats.rejectedHandshakes).toBe(before + 1)
  })
})

describe('handshake details', () => {
  it('answers a bad token only after handshakeRejectDelayMs', async () => {
    server.configure({ handshakeRejectDelayMs: 300 })
    const started = performance.now()
    const client = connect(urlWith('bad'))
    await client.closed()
    const elapsed = performance.now() - started
    expect(client.closeCode).toBe(1006)
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(2000)
  })

  it.each([
    ['a missing trailing slash', (t: string) => `${server.wsUrl}/ws/chat/2?token=${t}`],
    ['a non-numeric peer id', (t: string) => `${server.wsUrl}/ws/chat/abc/?token=${t}`],
    ['an unknown peer', (t: string) => `${server.wsUrl}/ws/chat/99/?token=${t}`],
    ['another path', (t: string) => `${server.wsUrl}/ws/other/2/?token=${t}`],
  ])('rejects %s even with a good token', async (_, url) => {
    const client = connect(url(server.issueTokens(1).access))
    expect(await client.closed()).toBe(1006)
    expect(client.opened).toBe(false)
  })

  it('never reads an Authorization header on the socket', async () => {
    const client = connect(`${server.wsUrl}/ws/chat/2/`, { headers: { authorization: `Bearer ${server.issueTokens(1).access}` } })
    expect(await client.closed()).toBe(1006)
    expect(client.errorMessage).toBe('Unexpected server response: 500')
  })

  it('rejectHandshakes(n) fails the next n good handshakes, then accepts again', async () => {
    server.rejectHandshakes(2)
    const before = { ...server.stats }
    for (let i = 0; i < 2; i++) {
      const rejected = connect(chatUrl(server, 1, 2))
      expect(await rejected.closed()).toBe(1006)
      expect(rejected.opened).toBe(false)
    }
    const ok = connect(chatUrl(server, 1, 2))
    await ok.open()
    expect(server.stats.handshakes - before.handshakes).toBe(3)
    expect(server.stats.rejectedHandshakes - before.rejectedHandshakes).toBe(2)
    ok.ws.close()
    await ok.closed()
  })
})
