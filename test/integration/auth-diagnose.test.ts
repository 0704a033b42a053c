/**
 * diagnoseHandshakeFailure after REAL failed handshakes (ws client against the test server):
 * the browser-visible symptom is the same 1006 for a bad token and for an outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createChatServer } from '../../src/testing'
import type { ChatServer } from '../../src/testing'
import type { ChatError } from '../../src/core/errors'
import { authFixture } from './auth-helpers'

let foreign: ChatServer
const fx = authFixture({ handshakeRejectDelayMs: 20 })
beforeAll(async () => {
  // Same users, another signing secret: its tokens look valid locally and are rejected by fx.server.
  foreign = await createChatServer()
})
afterAll(() => foreign.close())

/** Open a socket to peer 2 with `token`; resolve `'open'` or the close code of a failed handshake. */
function handshake(token: string, url = fx.server.wsUrl): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}/ws/chat/2/?token=${encodeURIComponent(token)}`)
    ws.on('error', () => {})
    ws.on('open', () => {
      ws.terminate()
      resolve('open')
    })
    ws.on('close', code => resolve(code))
  })
}

describe('diagnoseHandshakeFailure', () => {
  it('expired token: handshake fails with 1006, diagnosis refreshes without asking me → refreshed, next handshake opens', async () => {
    const auth = fx.make()
    const issued = fx.server.issueTokens(1, { accessTtlSeconds: -5 })
    expect(await handshake(issued.access)).toBe(1006)
    const me = fx.server.stats.meRequests
    const refreshes = fx.server.stats.refreshes
    // setTokens also schedules a refresh at once; the diagnosis joins it or sees its result.
    auth.setTokens(issued)
    expect(await auth.diagnoseHandshakeFailure(issued.access)).toBe('refreshed')
    expect(fx.server.stats.meRequests).toBe(me)
    expect(fx.server.stats.refreshes).toBe(refreshes + 1)
    expect(await handshake(await auth.getAccessToken())).toBe('open')
  })

  it('locally valid token the server rejects: probe me (401), refresh once → refreshed', async () => {
    const auth = fx.make()
    const bad = foreign.issueTokens(1).access
    auth.setTokens({ access: bad, refresh: fx.server.issueTokens(1).refresh })
    expect(await handshake(bad)).toBe(1006)
    const me = fx.server.stats.meRequests
    const refreshes = fx.server.stats.refreshes
    expect(await auth.diagnoseHandshakeFailure(bad)).toBe('refreshed')
    expect(fx.server.stats.meRequests).toBe(me + 1)
    expect(fx.server.stats.refreshes).toBe(refreshes + 1)
    expect(await handshake(await auth.getAccessToken())).toBe('open')
  })

  it('me 401 and the refresh token revoked → unauthorized, event, no storm', async () => {
    const auth = fx.make()
    const bad = foreign.issueTokens(1).access
    const { refresh } = fx.server.issueTokens(1)
    fx.server.revokeRefresh(refresh)
    auth.setTokens({ access: bad, refresh })
    const events: ChatError[] = []
    auth.on('unauthorized', e => events.push(e))
    const refreshes = fx.server.stats.refreshes
    expect(await auth.diagnoseHandshakeFailure(bad)).toBe('unauthorized')
    expect(await auth.diagnoseHandshakeFailure(bad)).toBe('unauthorized')
    expect(events).toHaveLength(1)
    expect(auth.getState().status).toBe('unauthorized')
    expect(fx.server.stats.refreshes).toBe(refreshes + 1)
  })

  it('a token issued by a diagnosis refresh that still gets 401 on me → unauthorized (no refresh loop)', async () => {
    const dedicated = await createChatServer({ handshakeRejectDelayMs: 20 })
    try {
      const auth = fx.make({ apiUrl: dedicated.url })
      const bad = foreign.issueTokens(1).access
      auth.setTokens({ access: bad, refresh: dedicated.issueTokens(1).refresh })
      expect(await auth.diagnoseHandshakeFailure(bad)).toBe('refreshed')
      const fresh = await auth.getAccessToken()
      dedicated.configure({ secret: 'rotated-after-issue' })
      expect(await handshake(fresh, dedicated.wsUrl)).toBe(1006)
      const refreshes = dedicated.stats.refreshes
      expect(await auth.diagnoseHandshakeFailure(fresh)).toBe('unauthorized')
      expect(dedicated.stats.refreshes).toBe(refreshes)
      expect(auth.getState().status).toBe('unauthorized')
    }
    finally {
      await dedicated.close()
    }
  })

  it('valid token, handshake refused by the server (me answers 200) → outage, session kept', async () => {
    const auth = fx.make()
    const issued = fx.server.issueTokens(1)
    auth.setTokens(issued)
    fx.server.rejectHandshakes(1)
    expect(await handshake(issued.access)).toBe(1006)
    const refreshes = fx.server.stats.refreshes
    expect(await auth.diagnoseHandshakeFailure(issued.access)).toBe('outage')
    expect(fx.server.stats.refreshes).toBe(refreshes)
    expect(auth.getState().status).toBe('authenticated')
  })

  it('server down (no answer at all) → outage, never a logout', async () => {
    const dedicated = await createChatServer()
    try {
      const auth = fx.make({ apiUrl: dedicated.url })
      const issued = dedicated.issueTokens(1)
      await dedicated.stop()
      auth.setTokens(issued)
      expect(await handshake(issued.access, dedicated.wsUrl)).toBe(1006)
      expect(await auth.diagnoseHandshakeFailure(issued.access)).toBe('outage')
      expect(await auth.diagnoseHandshakeFailure(issued.access)).toBe('outage')
      expect(auth.getState().status).toBe('authenticated')
      expect(await auth.getAccessToken()).toBe(issued.access)
    }
    finally {
      await dedicated.close()
    }
  })

  it('expired token while the server is down → outage (refresh failed on the network), tokens kept', async () => {
    const dedicated = await createChatServer()
    try {
      const auth = fx.make({ apiUrl: dedicated.url })
      const issued = dedicated.issueTokens(1, { accessTtlSeconds: -5 })
      await dedicated.stop()
      auth.setTokens(issued)
      expect(await auth.diagnoseHandshakeFailure(issued.access)).toBe('outage')
      expect(auth.getState().status).toBe('authenticated')
    }
    finally {
      await dedicated.close()
    }
  })
})
