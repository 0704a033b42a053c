/**
 * `client.auth.logout()` clears the user's stored conversation data only when the
 * state still names a user. Once the session has expired (`unauthorized`), the state's `userId` is
 * already `null`, so an explicit logout leaves the queued messages (their text) and read markers in
 * the shared, persistent storage: on a shared computer the next person's browser keeps them.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { clientFixture, createManualSignals, live, makeClient, until, waitFor } from './helpers'

const { boot, track } = clientFixture()

describe('logout after the session expired', () => {
  it('still removes what the user left in storage', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const signals = createManualSignals()
    const client = track(makeClient(srv, { storage, signals }))
    const issued = srv.issueTokens(1, { accessTtlSeconds: 4 })
    client.auth.setTokens(issued)
    const conv = client.conversation(2)
    await until(conv, live)
    signals.setOnline(false)
    conv.send('private draft')
    expect(storage.getItem('vrc:outbox:1:2')).toContain('private draft')

    // The session ends on the server (e.g. revoked elsewhere); the next refresh gets 401.
    srv.revokeRefresh(issued.refresh)
    await waitFor(() => client.auth.getState().status === 'unauthorized', 'the session to be rejected', 5000)

    await client.auth.logout()
    expect(client.auth.getState().status).toBe('anonymous')
    expect(storage.getItem('vrc:outbox:1:2')).toBeNull()
    expect(storage.getItem('vrc:peers:1')).toBeNull()
  })
})
