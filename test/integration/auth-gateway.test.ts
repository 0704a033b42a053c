/**
 * A refresh endpoint that fails briefly (a gateway answering 502 while the app server restarts) is
 * an outage, not a sign-out: only the refresh token itself being refused (401, 400) is terminal.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ChatClient, ConnectionStatus } from '../../src/core/types'
import { authFixture, waitFor } from './auth-helpers'
import { live, makeClient, until } from './helpers'

const fx = authFixture()
const clients: ChatClient[] = []
afterEach(() => {
  fx.server.configure({ refreshFailureStatus: 0 })
  for (const client of clients.splice(0)) client.destroy()
})

describe('refresh endpoint answering 5xx', () => {
  it('an expired token and a 502 keep the conversation reconnecting (never unauthorized), live once refresh works again', async () => {
    const storage = createMemoryStorage()
    storage.setItem('vrc:auth', JSON.stringify(fx.server.issueTokens(1, { accessTtlSeconds: -5 })))
    fx.server.configure({ refreshFailureStatus: 502 })
    const before = fx.server.stats.refreshes
    const client = makeClient(fx.server, { storage })
    clients.push(client)
    const chat = client.conversation(2)
    const statuses: ConnectionStatus[] = []
    chat.on('status', status => statuses.push(status))
    await waitFor(() => fx.server.stats.refreshes >= before + 2 || chat.getSnapshot().status === 'unauthorized', 'two refresh attempts', 8000)
    expect(statuses).not.toContain('unauthorized')
    expect(chat.getSnapshot().status).toBe('reconnecting')
    expect(chat.getSnapshot().error).toMatchObject({ code: 'http', status: 502 })
    // Signed in throughout ('refreshing' while the next attempt is on its way).
    expect(['authenticated', 'refreshing']).toContain(client.auth.getState().status)
    fx.server.configure({ refreshFailureStatus: 0 })
    await until(chat, live, 'live after the gateway recovered')
    expect(statuses).not.toContain('unauthorized')
    chat.release()
  })

  it('refresh retries are spaced by a growing, jittered backoff, however many callers ask', async () => {
    const auth = fx.make()
    auth.setTokens(fx.server.issueTokens(1, { accessTtlSeconds: -5 }))
    fx.server.configure({ refreshFailureStatus: 503 })
    const before = fx.server.stats.refreshes
    const started = Date.now()
    await Promise.allSettled(Array.from({ length: 5 }, () => auth.getAccessToken()))
    await waitFor(() => fx.server.stats.refreshes >= before + 3, 'three refresh attempts', 8000)
    // Attempts at 0, then after 0.5–1 s and 1–2 s more: at least 1.5 s for three, callers or not.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'http', status: 503 })
    expect(fx.server.stats.refreshes).toBe(before + 3)
    expect(auth.getState().status).toBe('authenticated')
  })

  it('a 400 from refresh (the stored refresh token is not acceptable) is terminal', async () => {
    const auth = fx.make()
    const events: unknown[] = []
    auth.on('unauthorized', error => events.push(error))
    auth.setTokens(fx.server.issueTokens(1, { accessTtlSeconds: -5 }))
    fx.server.configure({ refreshFailureStatus: 400 })
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'unauthorized', status: 400 })
    expect(auth.getState().status).toBe('unauthorized')
    expect(events).toHaveLength(1)
  })
})
