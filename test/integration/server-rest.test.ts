import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChatServer, verifyJwt } from '../../src/testing'
import type { ChatServer } from '../../src/testing'
import { decodePayload, post } from './server-helpers'

const STUDENT = { email: 'student@example.com', password: 'student123' }
const INVALID = { detail: 'Token is invalid or expired', code: 'token_not_valid' }

let server: ChatServer
beforeAll(async () => {
  server = await createChatServer({ secret: 'test-secret', handshakeRejectDelayMs: 5 })
})
afterAll(() => server.close())

async function me(token?: string): Promise<{ status: number, body: unknown }> {
  const res = await fetch(`${server.url}/api/auth/me/`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  return { status: res.status, body: await res.json() }
}

describe('login', () => {
  it('returns the user and a token pair whose user_id claim is a string', async () => {
    const res = await post(server, '/api/auth/login/', STUDENT)
    expect(res.status).toBe(200)
    const body = res.body as { user: Record<string, unknown>, tokens: { access: string, refresh: string } }
    expect(body.user).toEqual({ id: 1, email: 'student@example.com', role: 'student', first_name: 'Sam', last_name: 'Student' })
    const access = decodePayload(body.tokens.access)
    expect(access).toMatchObject({ token_type: 'access', user_id: '1' })
    expect(Object.keys(access)).toEqual(['token_type', 'exp', 'iat', 'jti', 'user_id'])
    expect((access.exp as number) - (access.iat as number)).toBe(3600)
    expect(access.jti).toMatch(/^[0-9a-f]{32}$/)
    const refresh = decodePayload(body.tokens.refresh)
    expect(refresh).toMatchObject({ token_type: 'refresh', user_id: '1' })
    expect((refresh.exp as number) - (refresh.iat as number)).toBe(604_800)
    expect(verifyJwt(body.tokens.access, 'test-secret')).not.toBeNull()
    expect(verifyJwt(body.tokens.access, 'other-secret')).toBeNull()
  })

  it('answers 401 {"error"} for a wrong password or an unknown email', async () => {
    for (const body of [{ ...STUDENT, password: 'nope' }, { email: 'ghost@example.com', password: 'x' }]) {
      const res = await post(server, '/api/auth/login/', body)
      expect(res.status).toBe(401)
      expect(res.body).toEqual({ error: expect.any(String) })
    }
  })

  it('answers 400 {"field": [...]} for missing or invalid fields', async () => {
    expect(await post(server, '/api/auth/login/', { email: STUDENT.email })).toMatchObject({ status: 400, body: { password: ['This field is required.'] } })
    expect(await post(server, '/api/auth/login/', {})).toMatchObject({ status: 400, body: { email: ['This field is required.'], password: ['This field is required.'] } })
    expect(await post(server, '/api/auth/login/', { email: 'not-an-email', password: 'x' })).toMatchObject({ status: 400, body: { email: ['Enter a valid email address.'] } })
    expect(await post(server, '/api/auth/login/', { email: '', password: 'x' })).toMatchObject({ status: 400, body: { email: ['This field may not be blank.'] } })
    expect((await post(server, '/api/auth/login/', '{not json')).status).toBe(400)
  })
})

describe('refresh', () => {
  it('rotates: a new pair comes back and the old refresh token works exactly once', async () => {
    const { refresh } = server.issueTokens(1)
    const first = await post(server, '/api/auth/token/refresh/', { refresh })
    expect(first.status).toBe(200)
    const pair = first.body as { access: string, refresh: string }
    expect(Object.keys(pair).sort()).toEqual(['access', 'refresh'])
    expect(pair.refresh).not.toBe(refresh)
    expect(decodePayload(pair.access)).toMatchObject({ token_type: 'access', user_id: '1' })

    const again = await post(server, '/api/auth/token/refresh/', { refresh })
    expect(again).toMatchObject({ status: 401, body: INVALID })

    const next = await post(server, '/api/auth/token/refresh/', { refresh: pair.refresh })
    expect(next.status).toBe(200)
  })

  it('without rotation returns only access and the refresh token stays valid', async () => {
    server.configure({ rotateRefresh: false })
    try {
      const { refresh } = server.issueTokens(2)
      for (let i = 0; i < 2; i++) {
        const res = await post(server, '/api/auth/token/refresh/', { refresh })
        expect(res.status).toBe(200)
        expect(Object.keys(res.body as object)).toEqual(['access'])
      }
    }
    finally {
      server.configure({ rotateRefresh: true })
    }
  })

  it('answers 401 token_not_valid for access, tampered, expired and revoked tokens; 400 when missing', async () => {
    const tokens = server.issueTokens(1)
    const [h, p, s] = tokens.refresh.split('.')
    const forged = Buffer.from(JSON.stringify({ ...decodePayload(tokens.refresh), user_id: '2' })).toString('base64url')
    const revoked = server.issueTokens(1).refresh
    server.revokeRefresh(revoked)
    const bad = [
      tokens.access,
      `${h}.${forged}.${s}`,
      `${h}.${p}.${s}x`,
      server.issueTokens(1, { refreshTtlSeconds: -10 }).refresh,
      revoked,
      'garbage',
    ]
    for (const refresh of bad)
      expect(await post(server, '/api/auth/token/refresh/', { refresh })).toMatchObject({ status: 401, body: INVALID })
    expect(await post(server, '/api/auth/token/refresh/', {})).toMatchObject({ status: 400, body: { refresh: ['This field is required.'] } })
  })
})

describe('me', () => {
  it('answers 200 with the user for a valid access token, 401 otherwise', async () => {
    const { access, refresh } = server.issueTokens(3)
    expect(await me(access)).toEqual({ status: 200, body: { id: 3, email: 'parent2@example.com', role: 'parent', first_name: 'Alex', last_name: 'Parent' } })
    expect((await me()).status).toBe(401)
    expect((await me(refresh)).status).toBe(401)
    expect((await me(server.issueTokens(3, { accessTtlSeconds: -1 }).access)).status).toBe(401)
    expect((await me(`${access}x`)).status).toBe(401)
  })
})

describe('http details', () => {
  it('answers CORS preflights and adds the allow-origin header', async () => {
    const pre = await fetch(`${server.url}/api/auth/login/`, { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'POST' } })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization')
    const res = await post(server, '/api/auth/login/', STUDENT)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('honours a specific corsOrigin and corsOrigin: false', async () => {
    const strict = await createChatServer({ corsOrigin: 'http://app.test' })
    const none = await createChatServer({ corsOrigin: false })
    try {
      expect((await post(strict, '/api/auth/login/', STUDENT)).headers.get('access-control-allow-origin')).toBe('http://app.test')
      expect((await post(none, '/api/auth/login/', STUDENT)).headers.get('access-control-allow-origin')).toBeNull()
    }
    finally {
      await Promise.all([strict.close(), none.close()])
    }
  })

  it('answers 404 for unknown routes and 405 for wrong methods', async () => {
    expect((await fetch(`${server.url}/api/auth/login`)).status).toBe(404)
    expect((await fetch(`${server.url}/api/auth/login/`)).status).toBe(405)
  })

  it('uses a configurable user id claim and counts requests', async () => {
    const custom = await createChatServer({ userIdClaim: 'uid' })
    try {
      const res = await post(custom, '/api/auth/login/', STUDENT)
      const { access, refresh } = (res.body as { tokens: { access: string, refresh: string } }).tokens
      expect(decodePayload(access)).toMatchObject({ uid: '1' })
      expect(decodePayload(access)).not.toHaveProperty('user_id')
      expect((await fetch(`${custom.url}/api/auth/me/`, { headers: { authorization: `Bearer ${access}` } })).status).toBe(200)
      await post(custom, '/api/auth/token/refresh/', { refresh })
      expect({ ...custom.stats }).toMatchObject({ logins: 1, refreshes: 1, meRequests: 1, handshakes: 0 })
    }
    finally {
      await custom.close()
    }
  })
})
